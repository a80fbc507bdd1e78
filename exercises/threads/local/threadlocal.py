"""ThreadLocal: a per-thread request context — see README.md."""
import threading

request = threading.local()  # the one global ThreadLocal object


def handle_request(user, path, handler):
    """Remember user and path as this thread's request (in `request`), then call handler()
    with no arguments and return what it returns."""
    raise NotImplementedError("TODO: handle_request")


def current_user():
    """The user of the request the calling thread is handling; None if it has none."""
    raise NotImplementedError("TODO: current_user")


def current_path():
    """The path of the request the calling thread is handling; None if it has none."""
    raise NotImplementedError("TODO: current_path")


def greeting():
    """Return f"Hello, {current_user()} (in {name})", name being the calling thread's name."""
    raise NotImplementedError("TODO: greeting")
