"""ThreadLocal: a per-thread request context (reference solution)."""
import threading

# Each thread's request, kept under the thread's name.
contexts = {}


def handle_request(user, path, handler):
    """Remember user and path for this thread, then return handler()."""
    contexts[threading.current_thread().name] = {"user": user, "path": path}
    return handler()


def current_user():
    """The user of the request this thread is handling, or None."""
    return contexts.get(threading.current_thread().name, {}).get("user")


def current_path():
    """The path of the request this thread is handling, or None."""
    return contexts.get(threading.current_thread().name, {}).get("path")


def greeting():
    """The notes' process_student, read from the context instead of an argument."""
    return f"Hello, {current_user()} (in {threading.current_thread().name})"
