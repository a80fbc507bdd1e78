"""进程池 — reference solution."""
import os
import random
import time
from multiprocessing import Pool


def window(i):
    print(f"请{i}号客户到{os.getpid() % 100}窗口办理业务", flush=True)
    time.sleep(random.uniform(0.05, 0.2))


def bank(customers, windows, task=window):
    pool = Pool(windows)  # at most `windows` processes, each serving one customer at a time
    for i in range(customers):
        pool.apply_async(task, (i,))  # does not block: the request waits in the pool's queue
    pool.close()  # no more requests
    pool.join()  # wait until every request has been served
    print("暂停服务", flush=True)


def run_blocking(task, args_list, windows):
    pool = Pool(windows)
    results = [pool.apply(task, args) for args in args_list]  # apply waits for each result in turn
    pool.close()
    pool.join()
    return results


def run_async(task, args_list, windows, callback=None):
    pool = Pool(windows)
    pending = [pool.apply_async(task, args, callback=callback) for args in args_list]
    pool.close()
    pool.join()
    return [result.get() for result in pending]


def read_file(name):
    with open(name, encoding="utf-8") as f:
        return f.read()


def merge_files(names, out_path, windows=3):
    with open(out_path, "w", encoding="utf-8"):
        pass  # start from an empty file: a merge run twice must not repeat anything

    def write(text):  # the callback: runs in this (the main) process as each read finishes
        with open(out_path, "a", encoding="utf-8") as f:
            f.write(text)

    pool = Pool(windows)
    for name in names:
        pool.apply_async(read_file, (name,), callback=write)
    pool.close()
    pool.join()


def main():
    bank(10, 3)


if __name__ == "__main__":
    main()
