"""Background jobs: the Huey instance (built from settings), thin task wrappers, and Task-row progress."""
