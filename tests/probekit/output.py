"""What learner code prints, captured at file descriptor 1 (so output of child processes too)."""
import os
import sys
import tempfile


class captured_stdout:  # noqa: N801 - used as a function: with captured_stdout() as out
    """Within the block, file descriptor 1 (this process and every process it starts) writes
    into a file of ours, opened O_APPEND so processes sharing it never overwrite each other.
    After the block, ``text()`` / ``lines()`` read what was written (by processes still
    running too, up to the moment of reading)."""

    def __init__(self):
        self.path = None
        self._saved = None

    def __enter__(self):
        sys.stdout.flush()
        fd, self.path = tempfile.mkstemp(prefix="stdout-")
        os.close(fd)
        out = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        self._saved = os.dup(1)
        os.dup2(out, 1)
        os.close(out)
        return self

    def restore(self):
        """Give file descriptor 1 back (idempotent): the end of the block, or earlier."""
        if self._saved is not None:
            try:
                sys.stdout.flush()
            except Exception:  # learner code may have replaced or closed sys.stdout
                pass
            os.dup2(self._saved, 1)
            os.close(self._saved)
            self._saved = None

    def __exit__(self, *exc):
        self.restore()
        return False

    def text(self, limit=None) -> str:
        with open(self.path, "rb") as f:
            data = f.read() if limit is None else f.read(limit)
        return data.decode("utf-8", "replace")

    def lines(self) -> list:
        return self.text().splitlines()
