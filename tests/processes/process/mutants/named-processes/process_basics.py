"""multiprocessing.Process — reference solution."""
from multiprocessing import Process

lst = []  # append_in_child(): each process has its own copy


def start_three(target):
    processes = [
        Process(target=target, args=("张三", 18), name="进程1"),
        Process(target=target, kwargs={"age": 20, "name": "李四"}, name="进程2"),
        Process(target=target, args=("赵六",), kwargs={"age": 22}, name="进程3"),
    ]
    for p in processes:
        p.start()  # start them all first, so that they run at the same time
    for p in processes:
        p.join()
    return [p.name for p in processes]


class MyProcess(Process):
    def __init__(self, n, name=None):
        super().__init__(name=name)  # sets up the Process; name=None keeps the default name
        self.n = n

    def run(self):  # start() calls run() in the new process
        for i in range(1, self.n + 1):
            print(f"{self.name}: {i}")


def stop_forever(target):
    p = Process(target=target)
    p.start()
    alive_before = p.is_alive()
    p.terminate()  # sends SIGTERM; the process is not gone yet
    p.join()  # wait until it has ended (and reap it)
    return alive_before, p.is_alive(), p.exitcode


def start_daemon(target):
    p = Process(target=target)
    p.daemon = True  # before start(): it is terminated when the main process exits
    p.start()
    return p.pid


def add(items):
    for item in items:
        lst.append(item)
    print(f"子进程lst：{lst}")


def append_in_child(items):
    p = Process(target=add, args=(items,))
    p.start()
    p.join()
    print(f"主进程lst：{lst}")
    return lst

