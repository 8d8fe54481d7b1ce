"""Runs a service under uvicorn with uvloop and httptools."""

from __future__ import annotations

import uvicorn

from edu_common.settings import ServiceSettings


def serve(app_factory: str, settings: ServiceSettings, workers: int = 1) -> None:
    """`app_factory` is an import path such as "identity.app:create_app"."""
    uvicorn.run(
        app_factory,
        factory=True,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=10,
    )
