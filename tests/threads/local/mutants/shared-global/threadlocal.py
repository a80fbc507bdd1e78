"""ThreadLocal: a per-thread request context (reference solution)."""
import threading

# The request being handled, kept in plain globals.
user_now = None
path_now = None


def handle_request(user, path, handler):
    """Remember user and path, then return handler()."""
    global user_now, path_now
    user_now = user
    path_now = path
    return handler()


def current_user():
    """The user of the request being handled, or None."""
    return user_now


def current_path():
    """The path of the request being handled, or None."""
    return path_now


def greeting():
    """The notes' process_student, read from the context instead of an argument."""
    return f"Hello, {current_user()} (in {threading.current_thread().name})"
