"""装饰器 / Decorators — see README.md."""
import functools  # noqa: F401  (use functools.wraps in every decorator)
import time  # noqa: F401  (for timed)


def check_access(get_user):
    """Decorator factory: call the function only if get_user() == "zzy", else print 无权查看."""
    raise NotImplementedError("TODO: check_access")


def log_calls(func):
    """Print 开始调用 <name> before and 结束调用 <name> after each call."""
    raise NotImplementedError("TODO: log_calls")


def timed(func):
    """Set wrapper.last_elapsed (seconds, float) after each call."""
    raise NotImplementedError("TODO: timed")


def cache(func):
    """Memoise by (args, sorted kwargs); count wrapper.hits and wrapper.misses."""
    raise NotImplementedError("TODO: cache")


def retry(times):
    """Decorator factory: try up to `times` times while the function raises; re-raise the last error."""
    raise NotImplementedError("TODO: retry")
