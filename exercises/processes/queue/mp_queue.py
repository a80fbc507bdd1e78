"""进程间通信：Queue 与 Manager().Queue() / Queues between processes — see README.md."""
import queue  # noqa: F401  (queue.Full, queue.Empty)
from multiprocessing import Manager, Pool, Process, Queue  # noqa: F401


def write(q, items):
    """写者 / Producer.

    按顺序 q.put(item)（会阻塞的 put），每放入一个就打印一行 put {item} to queue；
    全部放完之后再 q.put(None)，表示这个写者写完了。
    Put every item into q in order with the blocking q.put(item), printing put {item} to queue
    after each; when all are in, q.put(None) to say this writer has finished.
    """
    raise NotImplementedError("TODO: write")


def read(q, writers=1):
    """读者 / Consumer.

    用 q.get() 一个一个地取，直到收到 writers 个 None 为止；每取到一个数据（不是 None）就打印
    get {item}；返回取到的所有数据（不含 None），按取到的顺序。
    Take items with q.get() until `writers` None markers have arrived; print get {item} for each
    item (not for None); return all items received (without the Nones), in arrival order.
    """
    raise NotImplementedError("TODO: read")


def run_processes(batches):
    """Queue(3) + Process.

    创建 multiprocessing.Queue(3)；每个 batch 启动一个写者进程 Process(target=write, args=(q, batch))，
    再启动一个读者进程 Process(target=read, args=(q, len(batches)))；全部 join 之后打印 数据接收完成。
    Create a multiprocessing.Queue(3); start one writer Process per batch and one reader Process;
    join them all, then print 数据接收完成.
    """
    raise NotImplementedError("TODO: run_processes")


def run_pool(batches):
    """Manager().Queue() + Pool.

    创建 Manager().Queue() 和 Pool(len(batches) + 1)；每个 batch 用 apply_async 提交一个 write 任务，
    再用 apply_async 提交一个 read 任务；close、join 之后打印 数据接收OK，返回读者任务的返回值。
    Create a Manager().Queue() and a Pool(len(batches) + 1); submit one write task per batch and one
    read task with apply_async; close and join the pool, print 数据接收OK and return what the read
    task returned.
    """
    raise NotImplementedError("TODO: run_pool")


def fill(q):
    """用 q.put_nowait 依次放入 0, 1, 2, ... 直到抛出 queue.Full；返回放进去的个数。

    put_nowait 0, 1, 2, ... into q until it raises queue.Full; return how many went in.
    """
    raise NotImplementedError("TODO: fill")


def try_get(q):
    """用 q.get_nowait() 取一个数据；队列为空（queue.Empty）时立即返回 None。

    Take one item with q.get_nowait(); return None at once if the queue is empty (queue.Empty).
    """
    raise NotImplementedError("TODO: try_get")


def main():
    """作为脚本运行时：run_processes([range(5)])。 / When run as a script: run_processes([range(5)])."""
    raise NotImplementedError("TODO: main")


if __name__ == "__main__":
    main()
