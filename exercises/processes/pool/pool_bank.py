"""进程池 / Process pools — see README.md."""
import os  # noqa: F401
import random  # noqa: F401
import time  # noqa: F401
from multiprocessing import Pool  # noqa: F401


def window(i):
    """One customer (runs in a worker): print 请<i>号客户到<os.getpid() % 100>窗口办理业务, then sleep 0.05–0.2 s."""
    raise NotImplementedError("TODO: window")


def bank(customers, windows, task=window):
    """Pool(windows); apply_async(task, (i,)) for i in range(customers); close; join; print 暂停服务."""
    raise NotImplementedError("TODO: bank")


def run_blocking(task, args_list, windows):
    """Pool(windows); pool.apply(task, args) for each args in turn; close; join; return the results in order."""
    raise NotImplementedError("TODO: run_blocking")


def run_async(task, args_list, windows, callback=None):
    """Pool(windows); pool.apply_async(task, args, callback=callback) for each args; close; join;
    return the results in the order submitted."""
    raise NotImplementedError("TODO: run_async")


def read_file(name):
    """Task: return the text of file `name` (UTF-8)."""
    raise NotImplementedError("TODO: read_file")


def merge_files(names, out_path, windows=3):
    """Empty out_path; read every file with a Pool(windows) (read_file); a callback appends each
    text to out_path as soon as that read has finished."""
    raise NotImplementedError("TODO: merge_files")


def main():
    """The bank of the notes: 10 customers, 3 windows."""
    raise NotImplementedError("TODO: main")


if __name__ == "__main__":
    main()
