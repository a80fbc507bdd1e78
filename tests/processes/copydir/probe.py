"""Runs in the sandbox beside the learner's copydir.py; returns plain values only.

Source trees are built here, inside the sandbox's working directory, from a seed (binary,
text with CR/LF, empty, large files; nested and empty folders; unicode names), and copies are
compared by SHA-256.  Which processes read the source files is recorded by an audit hook on
``open`` (inherited by every forked process), never by asking the learner's code.
"""
import hashlib
import importlib
import multiprocessing
import os
import random
import runpy
import sys
import traceback

MODULE = "copydir"
SETTLE = 1.5
_STARTED = []  # process-creating audit events, to see what importing the module did
_WATCH = {}  # set while a check watches who opens the source files


def _audit(event, args):
    if event in ("os.fork", "os.posix_spawn", "subprocess.Popen", "os.exec"):
        _STARTED.append(event)
    elif event == "open" and _WATCH:
        _opened(args[0])


sys.addaudithook(_audit)


def _opened(path):
    """A source file is being opened: note the process; the first reader waits for a second one."""
    if isinstance(path, int):
        return
    try:
        path = os.path.abspath(os.fsdecode(path))
    except (TypeError, ValueError):
        return
    if not path.startswith(_WATCH["root"]):
        return
    pid = os.getpid()
    fd = os.open(_WATCH["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{pid}\n".encode())
    finally:
        os.close(fd)
    if _WATCH.get("pid") == pid:
        return
    _WATCH["pid"] = pid  # this process has been counted
    with _WATCH["count"].get_lock():
        _WATCH["count"].value += 1
        if _WATCH["count"].value >= 2:
            _WATCH["both"].set()
    # Learner-side wait: gives a second worker the chance to take the next file, so a pool
    # of several workers always shows two readers, however the tasks happen to be scheduled.
    _WATCH["both"].wait(_WATCH["wait"])


# -- trees ------------------------------------------------------------------------------------
def _text(rng, lines):
    words = ["进程", "拷贝", "progress", "naïve", "café", "数据", "line", "☃", "🎉", "pool"]
    return "".join(" ".join(rng.choice(words) for _ in range(rng.randint(1, 8))) + rng.choice(["\n", "\r\n"])
                   for _ in range(lines)).encode("utf-8") + b"\rlone CR\r\n"


def _binary(rng, size):
    return rng.randbytes(size - 4) + b"\r\n\x00\xff" if size >= 4 else rng.randbytes(size)


def tree_files(kind, seed):
    """{relative path: bytes} and the list of folders for one kind of tree."""
    rng = random.Random(f"{kind}:{seed}")
    files, folders = {}, []
    if kind in ("flat", "workers", "left"):
        files = {"readme.txt": _text(rng, 12), "数据.csv": _text(rng, 30), "empty.dat": b"",
                 "image.bin": _binary(rng, 30000), "noise.bin": _binary(rng, 5000), "naïve café ☃.txt": _text(rng, 3)}
    elif kind == "progress":
        files = {f"file{i}.bin": _binary(rng, rng.randint(10, 3000)) for i in range(8)}
    elif kind == "empty":
        files = {}
    elif kind == "large":
        files = {"big.bin": _binary(rng, 4 * 1024 * 1024 + 7), "small.txt": _text(rng, 5), "zero.dat": b""}
    elif kind in ("nested", "script"):
        folders = ["子目录", "子目录/深一层", "子目录/深一层/更深", "空文件夹", "only dirs", "only dirs/inner", "docs"]
        files = {"top.txt": _text(rng, 4), "a.bin": _binary(rng, 2000), "子目录/照片.bin": _binary(rng, 9000),
                 "子目录/深一层/b.txt": _text(rng, 7), "子目录/深一层/更深/c.bin": _binary(rng, 777),
                 "子目录/深一层/更深/empty": b"", "docs/说明 🎉.md": _text(rng, 9), "docs/x.bin": _binary(rng, 65536)}
    elif kind == "unreadable":
        files = {f"part{i}.bin": _binary(rng, 1000 + i) for i in range(4)}
        files["secret.bin"] = _binary(rng, 500)
    else:
        raise ValueError(kind)
    return files, folders


def build(root, kind, seed):
    files, folders = tree_files(kind, seed)
    os.makedirs(root)
    for folder in folders:
        os.makedirs(os.path.join(root, folder), exist_ok=True)
    for rel, data in files.items():
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        with open(os.path.join(root, rel), "wb") as f:
            f.write(data)
    return files


def snapshot(root):
    """{"dirs": [...], "files": {rel: [size, sha256 prefix]}} of a tree (None if it is missing)."""
    if not os.path.isdir(root):
        return None
    dirs, files = [], {}
    for here, subdirs, names in os.walk(root):
        rel = os.path.relpath(here, root)
        dirs += [os.path.normpath(os.path.join(rel, d)) for d in subdirs]
        for name in names:
            path = os.path.join(here, name)
            try:
                with open(path, "rb") as f:
                    data = f.read()
                files[os.path.normpath(os.path.join(rel, name))] = [len(data), hashlib.sha256(data).hexdigest()[:16]]
            except OSError as exc:
                files[os.path.normpath(os.path.join(rel, name))] = [-1, type(exc).__name__]
    return {"dirs": sorted(dirs), "files": files}


def compare(src, dst):
    """What differs between the source tree and its copy."""
    a, b = snapshot(src), snapshot(dst)
    if b is None:
        return {"dst_missing": True}
    return {
        "dst_missing": False,
        "missing": sorted(set(a["files"]) - set(b["files"])),
        "extra": sorted(set(b["files"]) - set(a["files"])),
        "different": sorted([rel, a["files"][rel][0], b["files"][rel][0]] for rel in set(a["files"]) & set(b["files"])
                            if a["files"][rel] != b["files"][rel]),
        "dirs_missing": sorted(set(a["dirs"]) - set(b["dirs"])),
        "files": len(a["files"]),
    }


# -- helpers ----------------------------------------------------------------------------------
def _describe(exc):
    tb = "".join(traceback.format_exception(exc)).replace(os.getcwd() + os.sep, "")
    return {"type": type(exc).__name__, "message": str(exc)[:500], "traceback": tb[-3000:],
            "oserror": isinstance(exc, OSError)}


def _plain(value):
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str, bytes)):
        return value if type(value) in (bool, type(None), int, float, str, bytes) else repr(value)[:200]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return repr(value)[:200]


def _load():
    """Import the learner's module with its output captured: importing should only define things."""
    started = len(_STARTED)
    sys.stdout.flush()
    capture = os.open(".grader-import-output", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    saved = os.dup(1)
    os.dup2(capture, 1)
    module = error = None
    try:
        module = importlib.import_module(MODULE)
    except BaseException as exc:  # SystemExit / EOFError from a main() run at import time too
        error = _describe(exc)
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
    os.lseek(capture, 0, os.SEEK_SET)
    printed = os.read(capture, 2000).decode("utf-8", "replace")
    os.close(capture)
    return module, {"printed": printed, "processes": len(_STARTED) - started, "error": error}


def _call(func, *args, **kwargs):
    try:
        return func(*args, **kwargs), None
    except Exception as exc:
        return None, _describe(exc)


def _descendants():
    """[pid, state] of every process below this one, read from /proc."""
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                parents[int(name)] = (int(fields[1]), fields[0].decode())
            except (OSError, IndexError, ValueError):
                pass
    found, todo = [], [os.getpid()]
    while todo:
        parent = todo.pop()
        for pid, (ppid, state) in parents.items():
            if ppid == parent:
                found.append([pid, state])
                todo.append(pid)
    return found


def _left():
    """Processes still below us once the call returned (a zombie counts: nobody joined it)."""
    import time

    end = time.monotonic() + SETTLE
    while True:
        left = _descendants()
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.02)  # polling the process table


# -- probes -----------------------------------------------------------------------------------
def copy_tree(kind, seed, workers=4):
    """Build a `kind` tree, copy_dir(src, dst, workers) it, compare."""
    module, imported = _load()
    if module is None:
        return {"import": imported}
    src, dst = os.path.join("trees", kind), os.path.join("trees", kind + "-copy")
    build(src, kind, seed)
    value, error = _call(module.copy_dir, src, dst, workers)
    return {"import": imported, "value": _plain(value), "error": error, "compare": compare(src, dst)}


def into_existing(seed):
    """copy_dir into a destination that already exists: it must be refused, nothing touched."""
    module, imported = _load()
    if module is None:
        return {"import": imported}
    src, dst = os.path.join("trees", "flat"), os.path.join("trees", "existing")
    build(src, "flat", seed)
    os.makedirs(os.path.join(dst, "留着 / keep"))
    for rel, data in (("readme.txt", "不要覆盖 / do not overwrite\n"), ("留着 / keep/mine.txt", "mine\n")):
        with open(os.path.join(dst, rel), "w", encoding="utf-8") as f:
            f.write(data)
    before = snapshot(dst)
    value, error = _call(module.copy_dir, src, dst, 4)
    return {"import": imported, "value": _plain(value), "error": error, "same": snapshot(dst) == before,
            "before": before, "after": snapshot(dst)}


def who_reads(seed, workers):
    """copy_dir with every opening of a source file recorded by process."""
    module, imported = _load()
    if module is None:
        return {"import": imported}
    src, dst = os.path.join("trees", "workers"), os.path.join("trees", "workers-copy")
    build(src, "workers", seed)
    log = os.path.abspath(".grader-readers")
    _WATCH.update(root=os.path.abspath(src) + os.sep, log=log, wait=2.0,
                  count=multiprocessing.Value("i", 0), both=multiprocessing.Event())
    value, error = _call(module.copy_dir, src, dst, workers)
    _WATCH.clear()
    try:
        with open(log, encoding="utf-8") as f:
            readers = [int(line) for line in f if line.strip()]
    except OSError:
        readers = []
    return {"import": imported, "value": _plain(value), "error": error, "me": os.getpid(),
            "readers": sorted(set(readers)), "compare": compare(src, dst)}


def copy_then_wait(seed, marker):
    """copy_dir, then print the marker and wait until the test closes stdin (it looks at our processes)."""
    module, imported = _load()
    error = imported["error"]
    if module is not None:
        src, dst = os.path.join("trees", "left"), os.path.join("trees", "left-copy")
        build(src, "left", seed)
        _, error = _call(module.copy_dir, src, dst, 3)
    print(marker, flush=True)
    sys.stdin.read()
    return {"import": imported, "error": error}


def unreadable(seed):
    """copy_dir on a tree holding a file nobody may read: it must report it, not hang."""
    module, imported = _load()
    if module is None:
        return {"import": imported}
    src, dst = os.path.join("trees", "unreadable"), os.path.join("trees", "unreadable-copy")
    build(src, "unreadable", seed)
    secret = os.path.join(src, "secret.bin")
    os.chmod(secret, 0)
    try:
        with open(secret, "rb"):
            pass
        raise RuntimeError("grader: the sandbox can still read a mode-000 file (running as root?)")
    except PermissionError:
        pass
    value, error = _call(module.copy_dir, src, dst, 4)
    return {"import": imported, "value": _plain(value), "error": error}


def as_script(seed, folder):
    """Build `folder`, then run copydir.py as a script; the test types the folder name."""
    module, imported = _load()
    if module is None:
        return {"import": imported}
    build(folder, "script", seed)
    error = None
    try:
        runpy.run_path(f"{MODULE}.py", run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (None, 0):
            error = _describe(exc)
    except BaseException as exc:
        error = _describe(exc)
    return {"import": imported, "error": error, "compare": compare(folder, folder + "-副本"), "left": _left()}
