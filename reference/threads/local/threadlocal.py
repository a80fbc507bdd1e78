"""ThreadLocal: a per-thread request context (reference solution)."""
import threading

# One global object; each thread reads and writes only its own copy of its attributes.
request = threading.local()


def handle_request(user, path, handler):
    """Remember user and path for this thread, then return handler()."""
    request.user = user
    request.path = path
    return handler()


def current_user():
    """The user of the request this thread is handling, or None."""
    return getattr(request, "user", None)


def current_path():
    """The path of the request this thread is handling, or None."""
    return getattr(request, "path", None)


def greeting():
    """The notes' process_student, read from the context instead of an argument."""
    return f"Hello, {current_user()} (in {threading.current_thread().name})"
