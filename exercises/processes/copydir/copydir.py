"""多进程拷贝文件夹 + 进度条 / Copy a folder with a process pool, with a progress line — see README.md."""
import os  # noqa: F401
from multiprocessing import Manager, Pool  # noqa: F401


def copy_file(rel, src, dst, q):
    """在进程池的工作进程里运行 / Runs in a pool worker.

    把文件 src/rel 按字节原样拷贝到 dst/rel（二进制方式 "rb"/"wb"），然后 q.put(rel)。
    拷贝出错时也要 q.put(rel)（用 try/finally），再让异常继续抛出。
    Copy the file src/rel to dst/rel byte for byte ("rb"/"wb"), then q.put(rel). Also q.put(rel)
    when the copy fails (try/finally), and let the exception propagate.
    """
    raise NotImplementedError("TODO: copy_file")


def copy_dir(src, dst, workers=4):
    """把文件夹 src（包括所有子文件夹）拷贝成新的文件夹 dst；返回拷贝的文件个数。

    dst 已存在时抛出 FileExistsError，什么都不改；用 Pool(workers) 和 Manager().Queue()，
    每个文件一个 apply_async(copy_file, ...) 任务；每拷完一个文件在同一行更新进度
    \\r当前的进度是xx.xx%；最后换行并打印 拷贝完成！。有文件拷贝失败时抛出那个异常。
    Copy the folder src, sub-folders included, to a new folder dst; return the number of files.
    Raise FileExistsError if dst exists, changing nothing; use Pool(workers) and Manager().Queue(),
    one apply_async(copy_file, ...) task per file; after each file, update the progress on one line,
    \\r当前的进度是xx.xx%; finally a line break and 拷贝完成！. If a file could not be copied, raise
    that exception.
    """
    raise NotImplementedError("TODO: copy_dir")


def main():
    """input("请输入目录名：") 读入文件夹名 name，然后 copy_dir(name, name + "-副本")。

    Read the folder name with input("请输入目录名："), then copy_dir(name, name + "-副本").
    """
    raise NotImplementedError("TODO: main")


if __name__ == "__main__":
    main()
