"""进程间通信：Queue 与 Manager().Queue() / Queues between processes — reference solution."""
import queue
from multiprocessing import Manager, Pool, Process, Queue


def write(q, items):
    """Producer: put every item into q in order, print a line after each, then put None."""
    for item in items:
        q.put(item)  # blocks while the queue is full, until the reader takes something out
        print(f"put {item} to queue")
    q.put(None)  # tells the reader that this writer has finished


def read(q, writers=1):
    """Consumer: take items until `writers` None markers came; print each; return them in order."""
    received = []
    finished = 0
    while finished < writers:
        item = q.get()  # wait for the next item: an empty queue does not mean the writers are done
        if item is None:
            finished += 1
        else:
            print(f"get {item}")
            received.append(item)
    return received


def run_processes(batches):
    """One writer Process per batch and one reader Process, sharing a multiprocessing.Queue(3)."""
    q = Queue(3)
    writers = [Process(target=write, args=(q, batch)) for batch in batches]
    reader = Process(target=read, args=(q, len(batches)))
    for p in writers:
        p.start()
    reader.start()  # before joining the writers: with a full queue they wait for the reader
    for p in writers:
        p.join()
    reader.join()
    print("数据接收完成")


def run_pool(batches):
    """The same with a Pool: a plain Queue cannot be sent to pool workers, a Manager().Queue() can."""
    q = Manager().Queue()
    pool = Pool(len(batches) + 1)
    for batch in batches:
        pool.apply_async(write, (q, batch))
    result = pool.apply_async(read, (q, len(batches)))
    pool.close()
    pool.join()
    print("数据接收OK")
    return result.get()


def fill(q):
    """put_nowait 0, 1, 2, ... into q until it raises queue.Full; return how many went in."""
    count = 0
    while True:
        try:
            q.put_nowait(count)
        except queue.Full:
            return count
        count += 1


def try_get(q):
    """get_nowait: the next item, or None at once if the queue is empty (queue.Empty)."""
    try:
        return q.get_nowait()
    except queue.Empty:
        return None


def main():
    run_processes([range(5)])


if __name__ == "__main__":
    main()
