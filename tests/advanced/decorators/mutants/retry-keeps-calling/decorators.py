"""装饰器 / Decorators — reference solution."""
import functools
import time


def check_access(get_user):
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if get_user() == "zzy":
                return func(*args, **kwargs)
            print("无权查看")
            return None

        return wrapper

    return decorator


def log_calls(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        print(f"开始调用 {func.__name__}")
        result = func(*args, **kwargs)
        print(f"结束调用 {func.__name__}")
        return result

    return wrapper


def timed(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            wrapper.last_elapsed = time.perf_counter() - start

    return wrapper


def cache(func):
    results = {}

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        if key in results:
            wrapper.hits += 1
            return results[key]
        wrapper.misses += 1
        result = func(*args, **kwargs)
        results[key] = result
        return result

    wrapper.hits = 0
    wrapper.misses = 0
    return wrapper


def retry(times):
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for attempt in range(1, times + 1):
                try:
                    result = func(*args, **kwargs)
                except Exception:
                    if attempt == times:
                        raise
            return result

        return wrapper

    return decorator
