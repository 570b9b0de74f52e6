"""Object storage: a small Protocol with a local-directory backend and an S3 backend (minio client)."""

from storage.base import ObjectNotFound, ObjectStorage, StorageError, project_key

__all__ = ["ObjectNotFound", "ObjectStorage", "StorageError", "project_key"]
