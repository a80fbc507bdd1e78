"""Checks shared by the processes/queue, processes/pipe and processes/copydir suites.

Their probes return plain values: ``import`` (what importing the learner's module did: it
should only define things), the learner's ``value`` or ``error``, ``trace`` (hops
``[sender pid, receiver pid, value]`` written by the probe's traced items each time one is
unpickled in another process), ``me`` (the probe's pid) and ``left`` (``[pid, state]`` of
processes still below the probe after the call).  These helpers turn them into checks.
"""
from __future__ import annotations

import time

from .feedback import LearnerHung, check, fail, learner_traceback
from .harness import crashed, exited

GUARD_HINT_ZH = '把调用 main() 的语句放在 if __name__ == "__main__": 下面：导入模块时只应定义函数。'
GUARD_HINT_EN = 'Put the call of main() under if __name__ == "__main__":, so importing the module only defines functions.'


def run(learner, function: str, *args, what: str, stdin: bytes | None = None, hang=None):
    """Run a probe function and return its Run (value, stdout, stderr).

    ``what`` is the learner's call as the learner should read it.  ``hang`` = (zh, en, hint_zh,
    hint_en) re-words a hang of this check; the stacks taken before the kill stay in details.
    """
    try:
        result = learner.run(function, *args, stdin=stdin)
    except LearnerHung as exc:
        if hang is None or learner.state.hung_in != learner.check:
            raise  # not this check's hang (an earlier one made the exercise fail fast)
        zh, en, hint_zh, hint_en = hang
        raise LearnerHung(zh, en, sent=what, hint_zh=hint_zh, hint_en=hint_en, details=exc.details) from None
    if result.error is not None:
        raise crashed(result.error, what, result.stderr)
    if result.exit_code is not None:
        raise exited(result.exit_code, what, result.stderr)
    return result


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


def no_error(got: dict, call: str, stderr: str = "", sent: str | None = None, **hint):
    """The learner's call returned instead of raising (``call``: short, e.g. "read(q, 2)")."""
    error = got.get("error")
    if error:
        tail = stderr.strip()
        fail(f"{call} 抛出了异常 {error['type']}: {error['message']}", f"{call} raised {error['type']}: {error['message']}",
             sent=sent, details=learner_traceback(error.get("traceback", "")) + (f"\n--- stderr ---\n{tail[-1500:]}" if tail else ""),
             **hint)


def lines(text: str) -> list[str]:
    """Printed lines ("\\n" only: a "\\r" stays inside its line)."""
    out = text.split("\n")
    return out[:-1] if out and out[-1] == "" else out


def stderr_details(stderr: str) -> str | None:
    """A child's traceback goes to stderr: show its end where it may explain a failure."""
    tail = stderr.strip()
    return f"--- stderr ---\n{tail[-1500:]}" if tail else None


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
