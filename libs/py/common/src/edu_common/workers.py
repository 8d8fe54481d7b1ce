"""Worker processes of one service and the directory where they keep their metrics.

Kept apart from edu_common.metrics on purpose: the process that starts the workers must
prepare the directory before anything creates a metric (prometheus-client decides at import
whether values live in memory or in files)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Set by edu_common.serve for the processes it starts (their workers inherit it): the
# collector is then set for serving (edu_common.runtime).
TUNE_GC_ENV = "EDU_TUNE_GC"


def multiprocess_dir() -> str | None:
    """The directory of multiprocess mode, or None when this process keeps metrics in memory."""
    return os.environ.get(MULTIPROC_DIR_ENV) or None


def prepare_multiprocess_dir(service: str) -> Path:
    """Called once by the process that starts the workers, before any worker exists: takes
    PROMETHEUS_MULTIPROC_DIR (or a new temporary directory), empties it so no count of an
    earlier run is added in, and exports it to the workers."""
    configured = multiprocess_dir()
    path = Path(configured) if configured else Path(tempfile.mkdtemp(prefix=f"edu-{service}-"))
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    os.environ[MULTIPROC_DIR_ENV] = str(path)
    return path
