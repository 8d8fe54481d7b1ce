"""Runs a service under uvicorn with uvloop and httptools."""

from __future__ import annotations

import uvicorn

from edu_common.settings import ServiceSettings
from edu_common.workers import multiprocess_dir, prepare_multiprocess_dir


def serve(app_factory: str, settings: ServiceSettings, workers: int | None = None) -> None:
    """`app_factory` is an import path such as "identity.app:create_app". `workers` defaults
    to the settings' `workers`; above 1 every worker is a process of its own sharing the port,
    and their metrics are added up (see edu_common.metrics)."""
    workers = workers or settings.workers
    if workers > 1 or multiprocess_dir():
        # The workers are spawned after this and inherit the directory.
        prepare_multiprocess_dir(settings.service_name)
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
