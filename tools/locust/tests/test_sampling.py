"""The bench's CPU sampler: a process is charged with what its children use, and with the
time they waited for a core."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import psutil
from edu_load.sampling import CpuSampler

# A parent that only waits, and its child that spins until it is killed.
_PARENT = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'while True: pass'])"
# Three children spinning on the same core: each runs a third of the time and waits the rest.
_CROWD = (
    "import os, subprocess, sys\n"
    "spin = 'import os; os.sched_setaffinity(0, {0})\\nwhile True: pass'\n"
    "children = [subprocess.Popen([sys.executable, '-c', spin]) for _ in range(3)]\n"
    "children[0].wait()\n"
)


def _sample_until(code: str, seen: Callable[[CpuSampler], bool]) -> CpuSampler:
    """Samples the tree `code` starts every 0.2 s until `seen` holds (at most 20 s)."""
    parent = subprocess.Popen([sys.executable, "-c", code])
    sampler = CpuSampler({"tree": parent.pid}, interval=0.2)
    try:
        sampler.start()
        deadline = time.monotonic() + 20
        while not seen(sampler):
            assert time.monotonic() < deadline, (sampler.samples, sampler.waiting)
            time.sleep(0.1)
    finally:
        sampler.stop()
        for child in psutil.Process(parent.pid).children(recursive=True):
            child.kill()
        parent.kill()
        parent.wait()
    return sampler


def test_a_process_is_charged_with_its_childrens_cpu() -> None:
    # The spinning child holds about one core; the parent alone uses nearly none.
    sampler = _sample_until(_PARENT, lambda s: any(cpu > 50 for _, cpu in s.samples["tree"]))
    assert sampler.stop()["tree"]


def test_the_time_a_process_waits_for_a_core_is_sampled() -> None:
    # Together about two cores' worth of waiting; more than half of one is certain.
    sampler = _sample_until(_CROWD, lambda s: any(w > 50 for _, w in s.waiting["tree"]))
    assert sampler.waited()["tree"]
