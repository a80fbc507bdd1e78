"""processes/queue: writer and reader processes over multiprocessing.Queue(3) and Manager().Queue().

Which process wrote and which read comes from the items themselves (the probe's traced ints
log every hop between processes); printed lines come from the run's stdout.
"""
from grader.feedback import check, equal, fail
from kit.calls import lines, no_error, run, stderr_details
from kit.processes import guarded, hops_of, imported, nothing_left

FILE = "mp_queue.py"
HANG_HINT = ("读者要一直 q.get() 到收齐 writers 个 None 为止；写者在读者启动之后再 join。",
             "The reader must keep calling q.get() until it has received `writers` None markers; join the writers "
             "only after the reader has been started.")


def call(learner, function, *args, what, hang=None):
    result = run(learner, function, *args, what=what, hang=hang)
    imported(result.value, FILE)
    return result


def gets_and_puts(stdout: str):
    """("get", value) / ("put", value) per printed line, in printed order; other lines kept as text."""
    out = []
    for line in lines(stdout):
        if line.startswith("get ") and line[4:].lstrip("-").isdigit():
            out.append(("get", int(line[4:])))
        elif line.startswith("put ") and line.endswith(" to queue") and line[4:-9].lstrip("-").isdigit():
            out.append(("put", int(line[4:-9])))
        else:
            out.append(("text", line))
    return out


def check_delivery(stdout: str, batches, done_line: str, sent: str):
    """Every item got exactly once, each writer's items in its order, done_line printed last."""
    events = gets_and_puts(stdout)
    got = [v for kind, v in events if kind == "get"]
    every = [v for batch in batches for v in batch]
    equal(sorted(got), sorted(every), "读者打印的 get 行应正好包含每个写入的数据各一次。",
          "The reader's get lines must contain every item written, each exactly once.", sent=sent,
          hint_zh="读者在收齐所有写者的 None 之前不能停；每个数据打印一行 get 数据。",
          hint_en="The reader may not stop before every writer's None arrived; print one line get <item> per item.")
    for i, batch in enumerate(batches):
        mine = [v for v in got if v in batch]
        equal(mine, list(batch), f"第 {i + 1} 个写者的数据应按写入的顺序被读到。",
              f"Writer {i + 1}'s items must be read in the order it wrote them.", sent=sent)
        puts = [v for kind, v in events if kind == "put" and v in batch]
        equal(puts, list(batch), f"第 {i + 1} 个写者应在每次 put 之后打印 put 数据 to queue，按顺序。",
              f"Writer {i + 1} must print put <item> to queue after each put, in order.", sent=sent)
    texts = [v for kind, v in events if kind == "text"]
    equal(texts, [done_line], f"除了 put/get 行，只应打印一行 {done_line}。",
          f"Apart from the put/get lines, print exactly one line: {done_line}.", sent=sent)
    check(events[-1] == ("text", done_line), f"{done_line} 应在所有进程结束之后最后打印。",
          f"{done_line} must be printed last, after every process has finished.", sent=sent,
          expected=done_line, got=lines(stdout)[-3:], hint_zh="先 join 所有进程，再打印。",
          hint_en="Join every process first, then print.")


# -- write / read -------------------------------------------------------------------------
def test_write_puts_items_then_done(learner):
    items = [7, 0, -3, 42]
    what = f"write(q, {items})"
    result = call(learner, "write_alone", items, what=what, hang=(
        "运行 write(q, items) 的子进程没有结束（见下面的调用栈）。",
        "The child process running write(q, items) did not end (see the stacks below).",
        "这里的队列没有容量限制，q.put 不会阻塞：write 放完数据和 None 就应返回。",
        "This queue is unbounded, so q.put never blocks: write must return once the items and the None are in."))
    got = result.value
    equal(got["exitcode"], 0, "运行 write 的子进程应正常结束（退出码 0）。",
          "The child process running write must end normally (exit code 0).", sent=what,
          details=stderr_details(result.stderr))
    equal(got["drained"], items + [None], "write 应按顺序 put 每个数据，最后再 put 一个 None（表示写完了）。",
          "write must put every item in order, then one None (meaning: this writer is done).", sent=what,
          hint_zh="for item in items: q.put(item) ... 循环结束后 q.put(None)。",
          hint_en="for item in items: q.put(item) ... and after the loop q.put(None).")
    equal(lines(result.stdout), [f"put {i} to queue" for i in items], "write 每次 put 之后应打印 put 数据 to queue。",
          "write must print put <item> to queue after each put.", sent=what)


def test_read_waits_for_all_writers(learner):
    # Two writers' items interleaved, one writer finishing early; a gap between puts
    # leaves the queue empty for a while, as with any real writer, and once the other
    # writer pauses longer than any timeout a reader might take for the end of the data.
    schedule = [10, 20, 0, 21, 11, None, 22, 23, None]
    expected = [10, 20, 0, 21, 11, 22, 23]
    what = (f"read(q, 2)，q 里依次（每隔 0.05 秒，第一个 None 之后停 2 秒）到来 / with q receiving, 0.05 s apart "
            f"and 2 s after the first None: {schedule}")
    result = call(learner, "read_alone", schedule, 2, 0.05, 5, 2.0, what=what, hang=(
        "read(q, 2) 在两个 None 都到了之后还没有返回。", "read(q, 2) had not returned after both None markers arrived.",
        "收到 writers 个 None 就停止并返回列表。", "Stop and return the list once `writers` None markers came."))
    got = result.value
    no_error(got, "read(q, 2)", result.stderr, sent=what)
    equal(got["value"], expected, "read 应返回收到的所有数据（不含 None），按到达的顺序；收齐 2 个 None 才结束。",
          "read must return every item received (no None), in arrival order, and end only after 2 None markers.",
          sent=what, hint_zh="队列暂时为空不代表写完了：不要用 q.empty()、get_nowait() 或 q.get(timeout=...) 超时判断结束"
                              "（写者可能停得比任何超时都久）；只有 None 表示一个写者写完了（0 不是 None，要用 is None 判断）。",
          hint_en="An empty queue does not mean the writers are done: do not stop on q.empty(), get_nowait() or a "
                  "q.get(timeout=...) timeout (a writer may pause longer than any timeout); only None marks a finished "
                  "writer (0 is not None: test with `is None`).")
    equal(lines(result.stdout), [f"get {v}" for v in expected], "read 每收到一个数据应打印一行 get 数据。",
          "read must print one line get <item> for each item received.", sent=what)


def test_read_counts_writers(learner):
    result = call(learner, "read_counts", what="read(q), read(q, 300)")
    got = result.value
    for key, sent, expected in (
            ("default", "read(q)，q 里是 / holding [5, 0, None, 6, None]", [5, 0]),
            ("many", "read(q, 300)，q 里是 300 个写者的数据和 None / holding 300 writers' items and None markers: "
                     "[1000, None, 1001, None, …, 1299, None]", list(range(1000, 1300)))):
        res = got[key]
        if res is None:
            continue  # not tried: the first call failed, reported below
        if not res["done"]:
            fail(f"{sent} 在收到足够的 None 之后还没有返回。", f"{sent} had not returned after enough None markers arrived.",
                 sent=sent, expected=expected, hint_zh="writers 默认是 1；用 finished < writers 比较计数（不要用 is / is not 比较整数：大于 256 的数不是同一个对象）。",
                 hint_en="writers defaults to 1; compare the count with finished < writers (never compare ints with is / is not: "
                         "numbers above 256 are not the same object).",
                 details="卡住的位置 / where it was stuck:\n" + res["stack"])
        no_error(res, sent.split("，")[0], result.stderr, sent=sent)
        equal(res["value"], expected, "read 应在收到 writers 个 None 时停止（writers 默认是 1），返回这之前收到的数据。",
              "read must stop once `writers` None markers came (writers defaults to 1) and return the items received "
              "before.", sent=sent)


def test_nowait_full_and_empty(learner):
    result = call(learner, "nowait", what="fill(Queue(3)), try_get(q)")
    got = result.value
    fill = got["fill"]
    sent = "fill(multiprocessing.Queue(3))"
    if not fill["done"]:
        fail("fill 对一个已满的 Queue(3) 一直阻塞，没有返回。", "fill blocked on a full Queue(3) and never returned.",
             sent=sent, hint_zh="用 q.put_nowait(...)：队列满时它立即抛出 queue.Full，捕获它后返回个数。",
             hint_en="Use q.put_nowait(...): on a full queue it raises queue.Full at once; catch it and return the count.",
             details="卡住的位置 / where it was stuck:\n" + fill["stack"])
    no_error(fill, "fill(q)", sent=sent)
    equal(fill["value"], 3, "fill 应返回放进去的个数：Queue(3) 放满是 3 个。", "fill must return how many items went in: 3 for a Queue(3).",
          sent=sent)
    equal(got["inside"], [0, 1, 2], "fill 应依次放入 0, 1, 2。", "fill must put 0, 1, 2 in that order.", sent=sent)
    for key, sent, expected in (("empty", "try_get(空的 / an empty Manager().Queue())", None),
                                ("one", "try_get(Manager().Queue() 里有一个数据 / holding one item)", "第一个 / first")):
        res = got[key]
        if res is None:
            continue  # not tried: the probe stops after a failure, which was reported above
        if not res["done"]:
            fail("try_get 在空队列上阻塞了，应立即返回 None。", "try_get blocked on an empty queue; it must return None at once.",
                 sent=sent, hint_zh="用 q.get_nowait()，捕获 queue.Empty 后返回 None。",
                 hint_en="Use q.get_nowait() and return None on queue.Empty.",
                 details="卡住的位置 / where it was stuck:\n" + res["stack"])
        no_error(res, "try_get(q)", sent=sent, hint_zh="队列为空时 get_nowait() 抛出 queue.Empty（import queue）。",
                 hint_en="get_nowait() raises queue.Empty (import queue) on an empty queue.")
        equal(res["value"], expected, "try_get 的返回值不对。", "try_get returned the wrong value.", sent=sent)
    raced = got.get("raced")
    if raced is None:
        return  # not tried: an earlier step failed, reported above
    took = got.get("rival_took") or []
    sent = ("try_get(Manager().Queue() 里有一个数据；另一个读者可能随时取走它 / holding one item, which another reader "
            "may take at any moment)")
    if took:
        sent += "：q.empty() 刚返回 False，另一个读者就取走了它 / q.empty() had just returned False when another reader took it"
    race_hint = dict(hint_zh="不要先用 q.empty() / q.qsize() 检查再取：检查之后、取之前，别的读者可能已经把数据取走了。"
                             "直接 q.get_nowait()，捕获 queue.Empty 后返回 None。",
                     hint_en="Do not check q.empty() / q.qsize() first and get next: between the check and the get another "
                             "reader may have taken the item. Just call q.get_nowait() and return None on queue.Empty.")
    if not raced["done"]:
        fail("try_get 在（此刻已经变空的）队列上阻塞了，应立即返回 None。",
             "try_get blocked on a queue that had become empty; it must return None at once.", sent=sent,
             details="卡住的位置 / where it was stuck:\n" + raced["stack"], **race_hint)
    no_error(raced, "try_get(q)", sent=sent, **(race_hint if took else {}))
    equal(raced["value"], None if took else "第二个 / second", "try_get 的返回值不对。", "try_get returned the wrong value.",
          sent=sent)


# -- run_processes ----------------------------------------------------------------------------
BATCHES = [[100, 101, 102, 103, 104, 105], [200, 201, 202, 203, 204, 205]]
RUN_HANG = ("run_processes 没有结束：有进程一直在等（见下面的调用栈）。",
            "run_processes did not finish: a process kept waiting (see the stacks below).") + HANG_HINT


def test_processes_deliver_all(learner):
    what = f"run_processes({BATCHES})"
    result = call(learner, "run_processes", BATCHES, what=what, hang=RUN_HANG)
    no_error(result.value, "run_processes(batches)", result.stderr, sent=what)
    check_delivery(result.stdout, BATCHES, "数据接收完成", what)


def test_processes_are_separate(learner):
    what = f"run_processes({BATCHES})"
    result = call(learner, "run_processes", BATCHES, what=what, hang=RUN_HANG)
    got = result.value
    no_error(got, "run_processes(batches)", result.stderr, sent=what)
    me = got["me"]
    hops = hops_of(got, [value for batch in BATCHES for value in batch])
    lost = [v for v, h in hops.items() if not h]
    check(not lost, "有数据没有经过进程之间的队列传递（没有被另一个进程取出）。",
          "Some items never travelled through the queue to another process.", sent=what, got=f"items {lost}",
          hint_zh="写者和读者都要是 multiprocessing.Process，读者用 q.get() 取出数据。",
          hint_en="Writers and the reader must be multiprocessing.Process objects; the reader takes items with q.get().")
    senders = [{s for v in batch for s, _ in hops[v]} for batch in BATCHES]
    receivers = {r for h in hops.values() for _, r in h}
    check(all(len(s) == 1 for s in senders) and len(set().union(*senders)) == len(BATCHES),
          "每个写者应是一个单独的进程：同一批数据由同一个进程写入，不同批由不同进程写入。",
          "Each writer must be its own process: one batch written by one process, different batches by different ones.",
          sent=what, got=f"写入的进程 / writer pids per batch: {[sorted(s) for s in senders]}")
    check(len(receivers) == 1, "所有数据应由同一个读者进程取出。", "One reader process must take out every item.",
          sent=what, got=f"读者进程 / reader pids: {sorted(receivers)}")
    used = set().union(*senders) | receivers
    check(me not in used and not (receivers & set().union(*senders)),
          "写者和读者都应在各自的子进程里运行，不能在调用 run_processes 的主进程里，也不能是同一个进程。",
          "Writers and the reader must each run in a child process of their own, not in the process that called "
          "run_processes, and not in one another's.", sent=what,
          got=f"主进程 / main pid {me}; 写者 / writers {sorted(set().union(*senders))}; 读者 / reader {sorted(receivers)}",
          hint_zh="用 Process(target=write, ...) 和 Process(target=read, ...)，不要用线程或直接调用。",
          hint_en="Use Process(target=write, ...) and Process(target=read, ...), not threads or direct calls.")
    nothing_left(got, "run_processes", hint_zh="start() 之后每个进程都要 join()。", hint_en="join() every process you started.")


def test_bounded_queue_blocks_writer(learner):
    items = list(range(300, 312))
    what = f"run_processes([{items}])，每个数据发送要 0.03 秒 / each item takes 0.03 s to send"
    result = call(learner, "run_processes", [items], 0.03, what=what, hang=RUN_HANG)
    no_error(result.value, "run_processes(batches)", result.stderr, sent=what)
    puts = gets = lead = 0
    for kind, _ in gets_and_puts(result.stdout):
        puts += kind == "put"
        gets += kind == "get"
        lead = max(lead, puts - gets)
    equal((puts, gets), (len(items), len(items)), "每个数据都应打印一行 put 和一行 get。",
          "Every item must give one put line and one get line.", sent=what)
    # With Queue(3) a writer can be at most 3 items in the queue + 1 being received + 1 not yet printed ahead.
    equal(result.value["made"]["queues"], [3], "run_processes 应只创建一个队列：multiprocessing.Queue(3)，容量 3。",
          "run_processes must create exactly one queue: multiprocessing.Queue(3), capacity 3.", sent=what,
          hint_zh="q = Queue(3)（None 表示没有容量限制）。", hint_en="q = Queue(3) (None means unbounded).")
    check(lead <= 5, "队列容量是 3：读者还没取走时，写者最多领先几个数据就必须等待；这里写者一口气全部写完了。",
          "The queue holds 3 items: while the reader has not taken them, the writer must wait after a few; here it "
          "wrote everything at once.", sent=what, expected="put 行最多领先 get 行 5 行 / put lines at most 5 ahead of get lines",
          got=f"领先 / ahead by {lead}", hint_zh="用 Queue(3) 创建队列，写者用会阻塞的 q.put()。",
          hint_en="Create the queue with Queue(3) and let the writer use the blocking q.put().")


# -- run_pool -----------------------------------------------------------------------------------
POOL_BATCHES = [[500, 501, 502, 503], [600, 601, 602], [700, 701]]  # an odd count: len + 1 differs from len | 1, len * 2, ...


def test_pool_delivers_all(learner):
    what = f"run_pool({POOL_BATCHES})"
    result = call(learner, "run_pool", POOL_BATCHES, what=what, hang=(
        "run_pool 没有结束：有任务一直在等（见下面的调用栈）。", "run_pool did not finish: a task kept waiting (see the stacks below).")
        + HANG_HINT)
    got = result.value
    plain_queue = (got.get("error") or {}).get("type") == "RuntimeError"
    no_error(got, "run_pool(batches)", result.stderr, sent=what,
             hint_zh="普通的 multiprocessing.Queue 不能传给进程池，要用 Manager().Queue()。" if plain_queue else None,
             hint_en="A plain multiprocessing.Queue cannot be passed to a pool; use Manager().Queue()." if plain_queue else None)
    every = [v for batch in POOL_BATCHES for v in batch]
    value = got["value"]
    check(isinstance(value, list) and sorted(value) == sorted(every) and all(
        [v for v in value if v in batch] == batch for batch in POOL_BATCHES),
        "run_pool 应返回读者任务收到的所有数据（每个一次，每个写者的数据保持顺序）。",
        "run_pool must return every item the reader task received (each once, each writer's items in order).",
        sent=what, expected=f"{every} 的一种交错 / an interleaving of it", got=value,
        hint_zh="读者也用 pool.apply_async(read, ...)；close、join 之后用它的 .get() 取返回值。",
        hint_en="Run the reader with pool.apply_async(read, ...) too; after close and join return its .get().")
    check_delivery(result.stdout, POOL_BATCHES, "数据接收OK", what)
    equal(got["made"]["pools"], [len(POOL_BATCHES) + 1], f"run_pool 应只创建一个进程池，有 len(batches) + 1 = "
          f"{len(POOL_BATCHES) + 1} 个工作进程（每个写者一个，读者一个）。",
          f"run_pool must create exactly one pool, with len(batches) + 1 = {len(POOL_BATCHES) + 1} worker processes "
          "(one per writer, one for the reader).", sent=what, hint_zh="pool = Pool(len(batches) + 1)。",
          hint_en="pool = Pool(len(batches) + 1).")
    me = got["me"]
    hops = got["trace"]
    writers = {h["receiver"] for h in hops if h["sender"] == me}  # the workers that were given a batch
    manager = {h["receiver"] for h in hops if h["sender"] in writers and h["receiver"] != me}  # where the writers put the items
    readers = {h["sender"] for h in hops if h["receiver"] == me}  # who sent the received items back to the main process
    check(writers and me not in writers, "写者应在进程池的工作进程里运行。", "The writers must run in the pool's worker processes.",
          sent=what, got=f"主进程 / main {me}; 收到数据的进程 / processes given the batches {sorted(writers)}")
    check(readers and not readers & (manager | {me}), "读者应在进程池的工作进程里运行，再把收到的列表返回给主进程。",
          "The reader must run in a pool worker process and return its list to the main process.", sent=what,
          got=f"主进程 / main {me}; 把数据交给主进程的进程 / processes that handed the items to the main process "
              f"{sorted(readers)}; Manager {sorted(manager)}",
          hint_zh="result = pool.apply_async(read, (q, len(batches)))，最后 return result.get()。",
          hint_en="result = pool.apply_async(read, (q, len(batches))), and finally return result.get().")
    nothing_left(got, "run_pool", hint_zh="pool.close() 之后 pool.join()。", hint_en="pool.join() after pool.close().")


# -- the script ------------------------------------------------------------------------------
def test_main_as_script(learner):
    what = "python mp_queue.py"
    result = call(learner, "as_script", what=what, hang=RUN_HANG)
    got = result.value
    guarded(got, FILE)
    no_error(got, what, result.stderr)
    check_delivery(result.stdout, [list(range(5))], "数据接收完成", what)
