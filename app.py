"""ComicReel entry point: create_app(settings) -> FastAPI serving the REST API and the Gradio studio at `/`.

`python app.py` serves http://127.0.0.1:7860 with the embedded defaults (SQLite, Huey on SQLite with worker
threads in this process, files under ./data).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import gradio as gr
from fastapi import FastAPI
from fastapi.middleware import Middleware
from fastapi.middleware.cors import CORSMiddleware

from studio.config import Settings
from studio.services import Services, build_services


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.refuse_open_without_auth()  # also when started as `uvicorn app:create_app --factory`
    svc = services or build_services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc.start_workers()
        try:
            yield
        finally:
            svc.stop()

    from studio.api import api_router, install_error_handlers, install_openapi
    from studio.api.guards import RequestGuard
    from studio.api.health import Readiness, install_health
    from studio.observability import install_observability
    from studio.ui import CSS, HEAD, I18N, build_blocks

    app = FastAPI(title="ComicReel", version="0.1.0", lifespan=lifespan, docs_url="/docs")
    app.state.services = svc
    queues = svc.queues  # every job queue by name, for /readyz and the queue-length gauges
    metrics = install_observability(app, settings, queues)  # inside the guard: it reads the guard's request id
    if settings.allowed_origins:  # browsers on these origins may call the API (the guard refuses all others)
        app.add_middleware(CORSMiddleware, allow_origins=settings.allowed_origins, allow_credentials=True,
                           allow_methods=["*"], allow_headers=["*"], expose_headers=["X-Request-ID"])  # fmt: skip
    app.add_middleware(RequestGuard, allowed_hosts=settings.allowed_hosts, allowed_origins=settings.allowed_origins,
                       max_body=settings.max_request_bytes, max_import_body=settings.max_import_bytes,
                       max_upload_body=settings.max_upload_bytes)  # fmt: skip
    install_error_handlers(app)
    install_openapi(app)
    app.include_router(api_router())  # before the Gradio mount, which would shadow later routes
    from studio.api.audio import library_router

    app.include_router(library_router)  # the built-in music and effects, for the studio's players

    readiness = Readiness(svc.engine, queues, svc.storage, settings.readiness_timeout)
    install_health(app, readiness, metrics, metrics_token=settings.metrics_token)  # /healthz, /readyz, /metrics

    if svc.storage.name == "local":
        from studio.api import files

        app.include_router(files.router)

    from studio.ui.login import router as login_router
    from studio.ui.session import StudioGate

    app.include_router(login_router)  # /login, /logout: the studio's door when auth is on
    # With auth on, every Gradio route (the page, its queue, uploads, files) first passes the gate: no identity, 401.
    gate = {"middleware": [Middleware(StudioGate, svc=svc)]} if settings.auth_enabled else None
    blocks = build_blocks(svc)
    # Gradio serves only its own folder of files handed to the browser (plus its cache); the database, queue,
    # secret and objects are also blocked outright, whatever else changes.
    data = settings.data_dir.resolve()
    blocked = [str(data / name) for name in ("comicreel.db", "queue.db", "secret_key", "objects", "work", "cache")]
    return gr.mount_gradio_app(app, blocks, path="/", allowed_paths=[str(svc.ui_dir)], blocked_paths=blocked,
                               max_file_size=settings.max_request_bytes, css=CSS, i18n=I18N, head=HEAD,
                               app_kwargs=gate)  # fmt: skip


def main() -> None:
    import uvicorn

    from studio.observability import configure_logging, uvicorn_log_config

    settings = Settings()
    configure_logging(settings)  # text, or JSON lines with request and task ids (COMICREEL_LOG_FORMAT)
    # Open streams (a browser tab, a gradio_client heartbeat) must not hold a shutdown forever.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, timeout_graceful_shutdown=10,
                log_config=uvicorn_log_config(settings))  # fmt: skip


if __name__ == "__main__":
    main()
