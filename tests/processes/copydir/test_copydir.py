"""processes/copydir: copy_dir(src, dst, workers) with a Pool, a Manager queue and a progress line.

Trees are built by the probe from a seed and compared by hash; the progress line is read from
the run's stdout; the processes that read source files are recorded by an audit hook; the
processes left once copy_dir returned are looked at from outside with psutil.
"""
import re

from grader.feedback import check, equal, fail
from kit.calls import no_error, run
from kit.processes import guarded, imported, wait_no_children

FILE = "copydir.py"
SEED = 20261115
DONE = "拷贝完成！"
STEP = re.compile(r"当前的进度是(\d{1,3}\.\d{2})%")
HANG = ("copy_dir 没有结束：主进程一直在等一条永远不会来的消息（见下面的调用栈和最后的进度）。",
        "copy_dir did not finish: the main process kept waiting for a message that never comes (see the stacks and "
        "the last progress below).",
        "每个文件都要有一条消息：子文件夹不能当成文件交给 copy_file（要递归地建文件夹、拷文件）；"
        "copy_file 出错时也要 q.put（用 try/finally），否则主进程的 q.get() 永远等下去。",
        "Every file needs its message: never hand a sub-folder to copy_file as if it were a file (create the folders "
        "and copy the files recursively), and let copy_file q.put even when it fails (try/finally), or the main "
        "process waits in q.get() for ever.")


def call(learner, function, *args, what, stdin=None):
    result = run(learner, function, *args, what=what, stdin=stdin, hang=HANG)
    imported(result.value, FILE)
    return result


def same_tree(got, what, seed):
    """The copy holds exactly the source's folders and files, byte for byte."""
    cmp = got["compare"]
    check(not cmp["dst_missing"], "目标文件夹没有被创建。", "The destination folder was not created.", sent=what)
    problems = []
    if cmp["missing"]:
        problems.append(f"缺少文件 / missing files: {cmp['missing']}")
    if cmp["extra"]:
        problems.append(f"多出的文件 / extra files: {cmp['extra']}")
    if cmp["different"]:
        problems.append("内容不同 / different content [文件 / file, 原大小 / source size, 副本大小 / copy size]: "
                        f"{cmp['different']}")
    if cmp["dirs_missing"]:
        problems.append(f"缺少文件夹 / missing folders: {cmp['dirs_missing']}")
    check(not problems, "副本与原文件夹不一致（应逐字节相同，包括子文件夹、空文件夹、空文件和二进制文件）。",
          "The copy differs from the source folder (it must be byte-identical, sub-folders, empty folders, empty "
          "files and binary files included).", sent=f"{what}（树的种子 / tree seed {seed}）", got="; ".join(problems),
          hint_zh='用二进制方式 open(..., "rb") / open(..., "wb")，读到 b"" 为止；文本方式会改动换行符，遇到非 UTF-8 字节还会出错。',
          hint_en='Open with "rb" / "wb" and read until b"": text mode changes line endings and fails on bytes that are '
                  "not UTF-8.")


def copied(learner, kind, what, workers=4):
    result = call(learner, "copy_tree", kind, SEED, workers, what=what)
    got = result.value
    text_mode = (got.get("error") or {}).get("type", "").startswith("Unicode")
    no_error(got, "copy_dir(src, dst)", result.stderr, sent=what,
             hint_zh='这是文本方式读写造成的：用二进制方式 open(..., "rb") / open(..., "wb")。' if text_mode else None,
             hint_en='Text mode causes this: open the files in binary mode, "rb" / "wb".' if text_mode else None)
    same_tree(got, what, SEED)
    equal(got["value"], got["compare"]["files"], "copy_dir 应返回拷贝的文件个数。",
          "copy_dir must return the number of files copied.", sent=what)
    return result


def progress_steps(stdout: str, what: str, prompt: str = ""):
    """The progress values printed, after checking the one-line layout and the final line."""
    check(stdout.startswith(prompt), "输出应以输入提示开头。", "The output must start with the input prompt.", sent=what,
          expected=prompt, got=stdout[:80])
    body = stdout[len(prompt):]
    check(body.endswith(f"\n{DONE}\n") and body.count(DONE) == 1, f"最后应换行，再打印一行 {DONE}。",
          f"The output must end with a line break and then one line {DONE}.", sent=what, expected=f"...\\n{DONE}\\n",
          got=repr(body[-120:]))
    line = body[: -len(f"\n{DONE}\n")]
    check("\n" not in line, "进度应在同一行里更新：每次用 \\r 回到行首，进度之间不能换行。",
          "Progress must be updated on one line: go back with \\r each time, no line break between updates.",
          sent=what, got=repr(line[:300]),
          hint_zh='写成 print("\\r当前的进度是%.2f%%" % (i / n * 100), end="", flush=True)',
          hint_en='Write print("\\r当前的进度是%.2f%%" % (i / n * 100), end="", flush=True)')
    pieces = [p for p in line.split("\r") if p]
    bad = [p for p in pieces if not STEP.fullmatch(p)]
    check(line.startswith("\r") or line.endswith("\r"), "每次更新进度都要用 \\r 回到行首。",
          "Every progress update must start with \\r (back to the start of the line).", sent=what, got=repr(line[:200]))
    check(pieces and not bad, "进度的格式应是 当前的进度是xx.xx%（两位小数，带 %）。",
          "Progress must read 当前的进度是xx.xx% (two decimals, with %).", sent=what, expected="当前的进度是12.50%",
          got=bad[:3] or repr(line[:200]))
    return [float(STEP.fullmatch(p).group(1)) for p in pieces]


# -- copying ----------------------------------------------------------------------------------
def test_copies_flat_folder(learner):
    copied(learner, "flat", "copy_dir('trees/flat', 'trees/flat-copy', 4)：文本（CRLF）、二进制、空文件、中文名 / "
                            "text (CRLF), binary, empty file, unicode names")


PROGRESS_FILES = 7  # as the probe's "progress" tree


def test_progress_on_one_line(learner):
    n = PROGRESS_FILES
    what = (f"copy_dir('trees/progress', 'trees/progress-copy', 4)：{n} 个文件，stdout 是管道、按块缓冲（例如 IDE 的运行窗口）/ "
            f"{n} files, stdout a pipe, block-buffered (an IDE's run window, say)")
    result = call(learner, "copy_tree", "progress", SEED, 4, what=what)
    no_error(result.value, "copy_dir(src, dst)", result.stderr, sent=what)
    steps = progress_steps(result.stdout, what)
    expected = [round(i * 100 / n, 2) for i in range(1, n + 1)]
    check(len(steps) == n and all(abs(a - b) < 0.011 for a, b in zip(steps, expected, strict=True)),
          f"{n} 个文件：每拷完一个文件更新一次进度，依次是 {expected[0]:.2f}% … 100.00%（只增不减，最后是 100.00%）。",
          f"{n} files: update the progress once per file copied: {expected[0]:.2f}% … 100.00% (never going back, "
          "ending at 100.00%).", sent=what, expected=[f"{v:.2f}" for v in expected], got=[f"{v:.2f}" for v in steps])
    held = [p for p in result.value["pieces"] if len(STEP.findall(p)) > 1]
    check(not held, "每次更新进度都要立即输出（flush=True）：stdout 是管道时按块缓冲，不 flush 的进度会一直留在缓冲区里，"
                    "最后才一起显示出来。",
          "Every progress update must be written out at once (flush=True): when stdout is a pipe it is block-buffered, "
          "and updates that are not flushed stay in the buffer and show only at the end, all together.",
          sent=what, expected="每次写出一个进度 / one update per write",
          got=f"一次写出了 / written together: {held[0][:200]!r}" if held else None,
          hint_zh='print("\r当前的进度是%.2f%%" % (i / n * 100), end="", flush=True)',
          hint_en='print("\r当前的进度是%.2f%%" % (i / n * 100), end="", flush=True)')
    what = "copy_dir('trees/empty', 'trees/empty-copy', 4)：空文件夹 / an empty folder"
    result = call(learner, "copy_tree", "empty", SEED, 4, what=what)
    no_error(result.value, "copy_dir(src, dst)", result.stderr, sent=what)
    equal(progress_steps(result.stdout, what), [100.0], "没有文件时，进度应直接打印一次 100.00%。",
          "With no files at all, print the progress once, as 100.00%.", sent=what)


def test_refuses_existing_destination(learner):
    what = "copy_dir('trees/flat', 'trees/existing', 4)，trees/existing 已经存在 / already exists"
    result = call(learner, "into_existing", SEED, what=what)
    got = result.value
    error = got["error"]
    if error is None:
        fail("目标文件夹已经存在时，copy_dir 应抛出 FileExistsError，而不是照常拷贝。",
             "When the destination already exists, copy_dir must raise FileExistsError instead of copying.", sent=what,
             got=f"返回了 / returned {got['value']!r}", hint_zh="开始之前先 if os.path.exists(dst): raise FileExistsError(...)。",
             hint_en="Before anything else: if os.path.exists(dst): raise FileExistsError(...).")
    equal(error["type"], "FileExistsError", "目标文件夹已经存在时，应抛出 FileExistsError。",
          "When the destination already exists, raise FileExistsError.", sent=what,
          details=error.get("traceback"))
    check(got["same"], "目标文件夹里原有的内容被改动了：已存在的目标不能被覆盖或写入。",
          "The destination's existing content was changed: an existing destination must not be written to.", sent=what,
          expected=got["before"], got=got["after"], hint_zh="先检查，再创建任何文件夹或文件。",
          hint_en="Check first, before creating any folder or file.")


def test_copies_large_file(learner):
    copied(learner, "large", "copy_dir('trees/large', 'trees/large-copy', 4)：一个 4 MiB 的二进制文件 / a 4 MiB binary file")


def test_several_worker_processes(learner):
    what = "copy_dir('trees/workers', 'trees/workers-copy', 3)"
    result = call(learner, "who_reads", SEED, 3, what=what)
    got = result.value
    no_error(got, "copy_dir(src, dst, 3)", result.stderr, sent=what)
    workers = [pid for pid in got["readers"] if pid != got["me"]]
    check(got["me"] not in got["readers"], "主进程自己打开了源文件：拷贝应交给进程池里的工作进程去做。",
          "The main process opened source files itself: the copying must be done by the pool's worker processes.",
          sent=what, got=f"主进程 / main {got['me']}; 读源文件的进程 / processes reading source files {got['readers']}",
          hint_zh="pool.apply_async(copy_file, (...))，不要在主进程里直接调用 copy_file。",
          hint_en="pool.apply_async(copy_file, (...)); do not call copy_file in the main process.")
    check(len(workers) >= 2, "应有不止一个工作进程在拷贝文件（6 个文件，workers=3）。",
          "More than one worker process must copy files (6 files, workers=3).", sent=what,
          got=f"读源文件的进程 / processes reading source files: {got['readers']}",
          hint_zh="Pool(workers)，每个文件一个 apply_async 任务。", hint_en="Pool(workers), one apply_async task per file.")
    equal(got["pools"], [3], "copy_dir(src, dst, 3) 应创建一个有 workers = 3 个工作进程的 Pool(3)。",
          "copy_dir(src, dst, 3) must make one Pool(3), with workers = 3 worker processes.", sent=what,
          hint_zh="pool = Pool(workers)，不要用 Pool()（那是 CPU 个数）或固定的数。",
          hint_en="pool = Pool(workers), not Pool() (that is the CPU count) or a fixed number.")
    same_tree(got, what, SEED)


def test_no_process_left(learner):
    marker = "<<grader: copy_dir returned>>"
    what = "copy_dir('trees/left', 'trees/left-copy', 3)"
    with learner.program("copy_then_wait", SEED, marker) as prog:
        if not prog.stdout.wait_for(lambda text: marker in text, prog.timeout):
            raise prog.hang(*HANG[:2])
        left = wait_no_children(prog, 2.0)
        check(not left, "copy_dir 返回之后，还留着子进程（进程池的工作进程或 Manager 进程）。",
              "After copy_dir returned, child processes were left (pool workers or the Manager's process).",
              sent=what, got=f"(pid, 状态 / status): {left}",
              hint_zh="pool.close() 之后 pool.join()；Manager 在不再使用时会自动关闭（或用 with Manager() as m:）。",
              hint_en="pool.join() after pool.close(); the Manager shuts down once unused (or use with Manager() as m:).")
        prog.close_stdin()
        got = prog.result()
    imported(got, FILE)
    no_error(got, "copy_dir(src, dst, 3)", prog.stderr.text(), sent=what)


def test_copies_nested_tree(learner):
    copied(learner, "nested", "copy_dir('trees/nested', 'trees/nested-copy', 4)：多层子文件夹、空文件夹、中文名 / "
                              "nested sub-folders, empty folders, unicode names")


def test_unreadable_file_reported(learner):
    what = "copy_dir('trees/unreadable', 'trees/unreadable-copy', 4)，其中 secret.bin 不可读 / secret.bin cannot be read"
    result = call(learner, "unreadable", SEED, what=what)
    got = result.value
    error = got["error"]
    if error is None:
        fail("有文件无法读取时，copy_dir 不能当作成功返回，应抛出那个错误。",
             "When a file cannot be read, copy_dir must not return as if it had succeeded: it must raise that error.",
             sent=what, got=f"返回了 / returned {got['value']!r}",
             hint_zh="保存每个 apply_async 的结果，全部完成后对每个调用 .get()：工作进程里的异常会在这里重新抛出。",
             hint_en="Keep every apply_async result and call .get() on each once all are done: a worker's exception is "
                     "raised again there.")
    check(error["oserror"], "应抛出读取失败的那个 OSError（这里是 PermissionError）。",
          "copy_dir must raise the OSError of the failed read (here PermissionError).", sent=what,
          got=f"{error['type']}: {error['message']}", details=error.get("traceback"))
    check(DONE not in result.stdout, f"有文件没有拷贝成功时，不能打印 {DONE}。",
          f"Do not print {DONE} when a file could not be copied.", sent=what, got=repr(result.stdout[-200:]))


def test_main_as_script(learner):
    folder = "照片"
    what = f"python copydir.py，输入 / typing: {folder}"
    result = call(learner, "as_script", SEED, folder, what=what, stdin=f"{folder}\n".encode())
    got = result.value
    guarded(got, FILE)
    no_error(got, "python copydir.py", result.stderr, sent=what)
    same_tree(got, what, SEED)
    steps = progress_steps(result.stdout, what, prompt="请输入目录名：")
    equal(steps[-1], 100.0, "进度最后应是 100.00%。", "The progress must end at 100.00%.", sent=what)
    check(not got["left"], "程序结束时还留着子进程。", "Child processes were left when the program ended.", sent=what,
          got=got["left"])
    equal(got["pools"], [4], "main() 调用 copy_dir(name, name + \"-副本\") 时用 workers 的默认值 4：应创建一个 Pool(4)。",
          "main() calls copy_dir(name, name + \"-副本\") with workers left at its default, 4: it must make one Pool(4).",
          sent=what, hint_zh="def copy_dir(src, dst, workers=4): ... pool = Pool(workers)。",
          hint_en="def copy_dir(src, dst, workers=4): ... pool = Pool(workers).")
