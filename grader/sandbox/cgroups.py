"""A pids + memory cgroup (v1) for each learner process tree, where the machine offers one.

Per-process limits (RLIMIT_AS, RLIMIT_NPROC) let a tree of N processes use N times the
memory; the cgroup bounds the whole tree, tmpfs pages it writes included. It also lists
every process of the tree, a double-forked daemon too, whoever its parent is now.
"""
from __future__ import annotations

import os
import time

ROOT = "/sys/fs/cgroup"
CONTROLLERS = ("memory", "pids")
OPTIONAL = ("cpuacct",)  # the tree's CPU time, measured by the kernel, where the machine has it
PARENT = "grader"


def available() -> str | None:
    """None if cgroup v1 memory and pids controllers can be used here; else why not."""
    if os.geteuid() != 0:
        return "cgroups need root"
    for c in CONTROLLERS:
        base = f"{ROOT}/{c}"
        if not os.path.isfile(f"{base}/cgroup.procs"):
            return f"no cgroup v1 {c} controller at {base}"
        try:
            os.makedirs(f"{base}/{PARENT}", exist_ok=True)
        except OSError as exc:
            return f"cannot create cgroups under {base}: {exc.strerror}"
    return None


class TreeCgroup:
    """One cgroup per controller, named after the sandbox uid and the learner process."""

    def __init__(self, name: str, memory_bytes: int, pids_max: int):
        self.paths = {c: f"{ROOT}/{c}/{PARENT}/{name}" for c in CONTROLLERS}
        for c in OPTIONAL:
            if os.path.isdir(f"{ROOT}/{c}/{PARENT}") or _try_makedirs(f"{ROOT}/{c}/{PARENT}"):
                self.paths[c] = f"{ROOT}/{c}/{PARENT}/{name}"
        for path in self.paths.values():
            os.makedirs(path, exist_ok=True)
        _write(f"{self.paths['memory']}/memory.limit_in_bytes", memory_bytes)
        try:  # swap too, where swap accounting is on
            _write(f"{self.paths['memory']}/memory.memsw.limit_in_bytes", memory_bytes)
        except OSError:
            pass
        _write(f"{self.paths['pids']}/pids.max", pids_max)

    def add(self, pid: int):
        for path in self.paths.values():
            _write(f"{path}/cgroup.procs", pid)

    def pids(self) -> list[int]:
        try:
            with open(f"{self.paths['pids']}/cgroup.procs") as f:
                return [int(line) for line in f if line.strip()]
        except OSError:
            return []

    def cpu_seconds(self) -> float | None:
        """CPU time the whole tree used so far, exited and double-forked processes included
        (None without the cpuacct controller)."""
        if "cpuacct" not in self.paths:
            return None
        try:
            with open(f"{self.paths['cpuacct']}/cpuacct.usage") as f:
                return int(f.read()) / 1e9
        except (OSError, ValueError):
            return None

    def oom_killed(self) -> bool:
        try:
            with open(f"{self.paths['memory']}/memory.oom_control") as f:
                return any(line.startswith("oom_kill ") and line.split()[1] != "0" for line in f)
        except OSError:
            return False

    def remove(self, wait: float = 2.0):
        """Remove the cgroups once their processes are gone (the caller killed them)."""
        end = time.monotonic() + wait
        for path in self.paths.values():
            while True:
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > end:
                        break
                    time.sleep(0.01)


def _try_makedirs(path: str) -> bool:
    try:
        os.makedirs(path, exist_ok=True)
        return True
    except OSError:
        return False


def _write(path: str, value):
    with open(path, "w") as f:
        f.write(str(value))
