"""Runs a service, or the web app, under uvicorn with uvloop and httptools."""

from __future__ import annotations

import os
import signal
from types import FrameType

import uvicorn

from edu_common.settings import ServerSettings
from edu_common.workers import TUNE_GC_ENV, multiprocess_dir, prepare_multiprocess_dir


def serve(app_factory: str, settings: ServerSettings, workers: int | None = None) -> None:
    """`app_factory` is an import path such as "identity.app:create_app". `workers` defaults
    to the settings' `workers`; above 1 every worker is a process of its own sharing the port,
    and their metrics are added up (see edu_common.metrics)."""
    workers = workers or settings.workers
    # uvicorn stops gracefully on SIGTERM (after the drain of edu_common.shutdown), then raises
    # the signal again for the handler it found: that handler ends the process with 0.
    signal.signal(signal.SIGTERM, _stopped)
    # The garbage collector set for serving once each worker's app has started.
    os.environ.setdefault(TUNE_GC_ENV, "1")
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
        timeout_keep_alive=settings.keep_alive_seconds,
        timeout_graceful_shutdown=10,
    )


def _stopped(sig: int, frame: FrameType | None) -> None:
    raise SystemExit(0)
