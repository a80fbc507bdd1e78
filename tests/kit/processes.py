"""Checks shared by the processes unit's suites.

Their probes (with ``probekit.procs`` / ``probekit.ipc``) return plain values: ``import``
(what importing the learner's module did: it should only define things), the learner's
``value`` or ``error``, ``trace`` (hops ``{sender, receiver, value}`` recorded by the traced
items each time one is unpickled in another process), ``me`` (the probe's pid) and ``left``
(``[pid, state]`` of processes still below the probe after the call).
"""
from __future__ import annotations

import time

from grader.feedback import check, fail, learner_traceback

GUARD_HINT_ZH = '把调用 main() 的语句放在 if __name__ == "__main__": 下面：导入模块时只应定义函数。'
GUARD_HINT_EN = 'Put the call of main() under if __name__ == "__main__":, so importing the module only defines functions.'


def imported(got: dict, file: str):
    """The learner's module could be imported (else every check says why)."""
    imp = got["import"]
    error = imp.get("error")
    if error:
        ran_main = bool(imp["printed"] or imp["processes"]) or error["type"] in ("EOFError", "SystemExit")
        fail(f"导入 {file} 时抛出了异常 {error['type']}: {error['message']}",
             f"Importing {file} raised {error['type']}: {error['message']}",
             hint_zh=GUARD_HINT_ZH if ran_main else None, hint_en=GUARD_HINT_EN if ran_main else None,
             got=imp["printed"] or None, details=learner_traceback(error.get("traceback", "")))


def guarded(got: dict, file: str):
    """Importing the module printed nothing and started no process (main() is under the guard)."""
    imported(got, file)
    imp = got["import"]
    did_zh, did_en = [], []
    if imp["printed"]:
        did_zh.append("打印了输出")
        did_en.append("printed output")
    if imp["processes"]:
        did_zh.append(f"启动了 {imp['processes']} 个进程")
        did_en.append(f"started {imp['processes']} process(es)")
    check(not did_zh, f"只是 import {file}，程序就运行了（{'、'.join(did_zh)}）。",
          f"Merely importing {file} ran the program (it {' and '.join(did_en)}).",
          got=imp["printed"] or None, hint_zh=GUARD_HINT_ZH, hint_en=GUARD_HINT_EN)


def none_escaped(got: dict, what: str, **kw):
    """No process the learner's code forked came back out of it (``got["escaped"]``: the pids
    the probe caught returning into its own code, which they would have gone on running)."""
    if got.get("escaped"):
        fail(f"{what} 创建的进程（pid {got['escaped']}）从函数里返回了，接着执行了调用者的代码。",
             f"A process made by {what} (pid {got['escaped']}) returned from the function and went on running the "
             "caller's code.", **kw)


def nothing_left(got: dict, what: str, **hint):
    """No process (running or zombie) was still below the probe once the call returned."""
    left = got.get("left") or []
    zombies = [pid for pid, state in left if state in ("Z", "X")]
    running = [pid for pid, state in left if state not in ("Z", "X")]
    check(not left, f"{what} 返回之后还留着子进程：{len(running)} 个在运行，{len(zombies)} 个僵尸（结束了但没有被 join）。",
          f"After {what} returned, child processes were left: {len(running)} running, {len(zombies)} zombie "
          "(ended but never joined).", got=f"running {running}, zombie {zombies}", **hint)


def wait_no_children(program, settle: float) -> list:
    """From outside (psutil): poll until the learner's main process has no child left; return those left."""
    import psutil

    end = time.monotonic() + settle
    while True:
        _, kids = program.processes()
        live = []
        for kid in kids:
            try:
                live.append((kid.pid, kid.status()))
            except psutil.Error:
                pass  # gone meanwhile
        if not live or time.monotonic() > end:
            return live
        time.sleep(0.02)  # polling the process table


def children(got: dict, parent: int | None = None) -> list[int]:
    """The pids forked by ``parent`` (default: the probe's process ``got["me"]``), from the
    probe's fork records ``got["forks"]`` ([pid, parent] pairs)."""
    parent = got["me"] if parent is None else parent
    return [pid for pid, ppid in got["forks"] if ppid == parent]


def hops_of(got: dict, values) -> dict:
    """value -> [(sender, receiver)] for every hop of the traced items in ``got["trace"]``."""
    hops = {v: [] for v in values}
    for hop in got["trace"]:
        hops.setdefault(hop["value"], []).append((hop["sender"], hop["receiver"]))
    return hops


def one_hop_each(hops: dict) -> list[tuple[int, int]] | None:
    """The (sender, receiver) of every value's hop when each value made exactly one, else None."""
    if not all(len(h) == 1 for h in hops.values()):
        return None
    return [h[0] for h in hops.values()]
