"""The bench's CPU sampler: a process is charged with what its children use."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil
from edu_load.sampling import CpuSampler

# A parent that only waits, and its child that spins until it is killed.
_PARENT = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'while True: pass'])"


def test_a_process_is_charged_with_its_childrens_cpu() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT])
    sampler = CpuSampler({"parent": parent.pid}, interval=0.2)
    try:
        sampler.start()
        deadline = time.monotonic() + 20
        # The spinning child holds about one core; the parent alone uses nearly none.
        while not any(cpu > 50 for _, cpu in sampler.samples["parent"]):
            assert time.monotonic() < deadline, sampler.samples["parent"]
            time.sleep(0.1)
    finally:
        samples = sampler.stop()
        for child in psutil.Process(parent.pid).children(recursive=True):
            child.kill()
        parent.kill()
        parent.wait()
    assert samples["parent"]


# Three children spinning on the same core: each runs a third of the time and waits the rest.
_CROWD = (
    "import os, subprocess, sys\n"
    "spin = 'import os; os.sched_setaffinity(0, {0})\\nwhile True: pass'\n"
    "children = [subprocess.Popen([sys.executable, '-c', spin]) for _ in range(3)]\n"
    "children[0].wait()\n"
)


def test_the_time_a_process_waits_for_a_core_is_sampled() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _CROWD])
    sampler = CpuSampler({"crowd": parent.pid}, interval=0.2)
    try:
        sampler.start()
        deadline = time.monotonic() + 20
        # Together about two cores' worth of waiting; more than half of one is certain.
        while not any(waited > 50 for _, waited in sampler.waiting["crowd"]):
            assert time.monotonic() < deadline, sampler.waiting["crowd"]
            time.sleep(0.1)
    finally:
        sampler.stop()
        for child in psutil.Process(parent.pid).children(recursive=True):
            child.kill()
        parent.kill()
        parent.wait()
    assert sampler.waited()["crowd"]
