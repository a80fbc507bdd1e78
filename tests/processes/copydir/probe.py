"""Runs in the sandbox beside the learner's copydir.py; returns plain values only.

Source trees are built here, inside the sandbox's working directory, from a seed (binary,
text with CR/LF, empty, large files; nested and empty folders; unicode names), and copies are
compared by SHA-256.  Which processes read the source files is recorded by an audit hook on
``open`` (inherited by every forked process), never by asking the learner's code.
"""
import hashlib
import io
import multiprocessing
import multiprocessing.pool
import os
import random
import sys

from probekit.procs import left, run_script, watched_import
from probekit.values import error_of, plain

MODULE = "copydir"
PROGRESS_FILES = 7  # an odd count: range(1, n + 1) differs from range(1, n | 1)
_WATCH = {}  # set while a check watches who opens the source files


def _audit(event, args):
    if event == "open" and _WATCH:
        _opened(args[0])


sys.addaudithook(_audit)

POOLS = []  # the number of worker processes of every Pool made in this process
_pool_init = multiprocessing.pool.Pool.__init__


def _recorded_pool(self, *args, **kwargs):
    _pool_init(self, *args, **kwargs)
    POOLS.append(self._processes)


multiprocessing.pool.Pool.__init__ = _recorded_pool  # Pool(...), multiprocessing.Pool, a context's Pool


class _Terminal(io.RawIOBase):
    """Stands for the reader of a pipe behind a block-buffered sys.stdout: keeps every piece of
    text that reaches it (what each flush writes out), and passes it on to the real stdout."""

    def __init__(self, out):
        super().__init__()
        self.out, self.pieces = out, []

    def writable(self):
        return True

    def write(self, data):
        text = bytes(data).decode("utf-8", "replace")  # whole prints: a flush never cuts a character
        self.pieces.append(text)
        self.out.write(text)
        self.out.flush()
        return len(data)


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
        files = {f"file{i}.bin": _binary(rng, rng.randint(10, 3000)) for i in range(PROGRESS_FILES)}
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


# -- probes -----------------------------------------------------------------------------------
def _call(func, *args):
    """(value, error) of a learner call; the error says whether it was an OSError."""
    try:
        return func(*args), None
    except Exception as exc:  # reported by the check
        return None, error_of(exc, oserror=isinstance(exc, OSError))


def copy_tree(kind, seed, workers=4):
    """Build a `kind` tree, copy_dir(src, dst, workers) it, compare."""
    module, imported = watched_import(MODULE)
    if module is None:
        return {"import": imported}
    src, dst = os.path.join("trees", kind), os.path.join("trees", kind + "-copy")
    build(src, kind, seed)
    real, terminal = sys.stdout, None
    if kind == "progress":  # stdout block-buffered, as when it is a pipe (an IDE's run window, | tee): an update
        sys.stdout.flush()  # not flushed waits in the buffer until the end
        terminal = _Terminal(real)
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(terminal), encoding="utf-8")
    try:
        value, error = _call(module.copy_dir, src, dst, workers)
    finally:
        if terminal is not None:
            sys.stdout.flush()
            sys.stdout = real
    return {"import": imported, "value": plain(value), "error": error, "compare": compare(src, dst),
            "pieces": terminal.pieces if terminal else None}


def into_existing(seed):
    """copy_dir into a destination that already exists: it must be refused, nothing touched."""
    module, imported = watched_import(MODULE)
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
    return {"import": imported, "value": plain(value), "error": error, "same": snapshot(dst) == before,
            "before": before, "after": snapshot(dst)}


def who_reads(seed, workers):
    """copy_dir with every opening of a source file recorded by process."""
    module, imported = watched_import(MODULE)
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
    return {"import": imported, "value": plain(value), "error": error, "me": os.getpid(),
            "readers": sorted(set(readers)), "compare": compare(src, dst), "pools": POOLS}


def copy_then_wait(seed, marker):
    """copy_dir, then print the marker and wait until the test closes stdin (it looks at our processes)."""
    module, imported = watched_import(MODULE)
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
    module, imported = watched_import(MODULE)
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
    return {"import": imported, "value": plain(value), "error": error}


def as_script(seed, folder):
    """Build `folder`, then run copydir.py as a script; the test types the folder name."""
    module, imported = watched_import(MODULE)
    if module is None:
        return {"import": imported}
    build(folder, "script", seed)
    error = run_script(f"{MODULE}.py")
    return {"import": imported, "error": error, "compare": compare(folder, folder + "-副本"), "left": left(),
            "pools": POOLS}
