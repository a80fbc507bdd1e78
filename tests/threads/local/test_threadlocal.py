"""threads/local: a per-thread request context read by nested functions (threading.local)."""
import pytest

from grader.feedback import check, equal
from kit.calls import thread_raised

LOCAL_HINT = dict(
    hint_zh="在模块里创建一个全局的 request = threading.local()；handle_request 里 request.user = user、request.path = path；"
            "current_user() 用 getattr(request, \"user\", None)。不要用普通的全局变量或自己按线程名建的字典。",
    hint_en="Create one global request = threading.local() in the module; in handle_request set request.user = user and "
            "request.path = path; current_user() is getattr(request, \"user\", None). Do not use plain globals or a "
            "dict of your own keyed by thread name.",
)


def no_errors(got, sent):
    thread_raised(got.get("errors", []) + got.get("thread_errors", []), sent=sent)


def test_nested_functions_see_request(learner):
    got = learner.call("nested", "zzy", "/index.html")
    sent = ("主线程 / main thread: handle_request(User(\"zzy\"), \"/index.html\", handler)，handler 里两层嵌套的函数调用 "
            "current_user()、current_path()、greeting() / nested two calls deep inside handler")
    no_errors(got, sent)
    equal(got["before"], {"user": None, "path": None}, "还没有处理任何请求时，current_user() 和 current_path() 应返回 None。",
          "Before any request, current_user() and current_path() must return None.", sent=sent,
          hint_zh="用 getattr(request, \"user\", None)：当前线程还没设置过时返回 None。",
          hint_en="Use getattr(request, \"user\", None): None while this thread has set nothing.")
    equal(got["returned"], {"inner": {"user": "zzy", "path": "/index.html", "greeting": "Hello, zzy (in MainThread)"}},
          "handler 里的嵌套函数应读到这个请求的 user 和 path，greeting() 应返回 Hello, zzy (in MainThread)；"
          "handle_request 应返回 handler() 的返回值。",
          "The functions nested in handler must see this request's user and path, greeting() must return Hello, zzy (in "
          "MainThread), and handle_request must return what handler() returned.", sent=sent, **LOCAL_HINT)


@pytest.mark.parametrize("count, seed", [(2, 22), (16, 1622)])
def test_no_cross_talk(learner, count, seed):
    got = learner.call("concurrent", count, seed)
    sent = (f"{count} 个线程 req-1…req-{count} 同时各处理一个请求（随机种子 {seed}）；所有线程都设置好之后才一起读 / {count} "
            f"threads req-1…req-{count} each handle one request at the same time (random seed {seed}); they read only "
            "once every thread has set its own")
    no_errors(got, sent)
    wrong = []
    for i, ((name, path), seen) in enumerate(zip(got["requests"], got["seen"], strict=True)):
        expected = {"user": name, "path": path, "greeting": f"Hello, {name} (in req-{i + 1})"}
        for reading in seen or [None]:
            if reading != expected:
                wrong.append({"thread": f"req-{i + 1}", "expected": expected, "got": reading})
                break
    check(not wrong, f"{len(wrong)} 个线程读到的不是自己的请求：线程之间串了数据。",
          f"{len(wrong)} threads did not read their own request: the threads' data got mixed up.", sent=sent,
          expected=wrong[0]["expected"] if wrong else None, got=f"{wrong[0]['thread']}: {wrong[0]['got']}" if wrong else None,
          details="\n".join(f"{w['thread']}: 期望 / expected {w['expected']}，得到 / got {w['got']}" for w in wrong[:5]) or None,
          **LOCAL_HINT)


def test_main_thread_unaffected(learner):
    got = learner.call("concurrent", 8, 808)
    sent = "8 个线程各处理一个请求并结束之后，主线程调用 current_user()、current_path()（随机种子 808）/ after 8 threads each " \
           "handled a request and ended, the main thread calls current_user(), current_path() (random seed 808)"
    no_errors(got, sent)
    equal(got["main"], {"user": None, "path": None}, "主线程没有处理过请求，应读到 None：别的线程设置的值不能出现在主线程里。",
          "The main thread handled no request and must read None: values set by other threads must not show up in it.",
          sent=sent, **LOCAL_HINT)


def test_values_gone_after_thread_ends(learner):
    got = learner.call("after_thread_ends")
    sent = ("线程 worker 处理请求 handle_request(User(\"alice\"), \"/secret\", ...) 后结束；之后一个新的、也叫 worker 的线程调用 "
            "current_user()、current_path() / a thread named worker handles handle_request(User(\"alice\"), \"/secret\", ...) "
            "and ends; then a new thread, also named worker, calls current_user(), current_path()")
    no_errors(got, sent)
    equal(got["fresh"], {"user": None, "path": None}, "新线程还没有处理请求，应读到 None，而不是已经结束的线程留下的值。",
          "The new thread has handled no request and must read None, not what a thread that has ended left behind.",
          sent=sent, **LOCAL_HINT)
    check(got["kept"] is False, "线程结束后，它的请求数据（User(\"alice\")）还被你的模块引用着，没有被释放。",
          "After the thread ended, its request data (User(\"alice\")) was still referenced by your module and not freed.",
          sent=sent, expected="线程结束后 User(\"alice\") 被释放 / User(\"alice\") freed when the thread ends",
          got="仍然存在 / still alive", **LOCAL_HINT)
