"""Runs in the sandbox beside the learner's udp_chat.py: chat(), then what it left behind."""
import threading
import warnings

import udp_chat

from probekit.threads import learner_threads
from probekit.udp_calls import open_sockets
from probekit.values import text

GRACE = 1.0  # a thread that is on its way out (woken, not joined) may take this long to end


def chat(host, port):
    """Run the learner's chat(host, port) as the program; once it returned, the threads it
    started that are still alive (each given GRACE seconds to end), the sockets it left open,
    and those it never closed but dropped (the garbage collector closed them, with a
    ResourceWarning): {"threads_left": [names], "open_sockets": n, "unclosed": [texts]}."""
    before, sockets_before = set(threading.enumerate()), open_sockets()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        udp_chat.chat(host, port)
        left = learner_threads(before)
        for thread in left:
            thread.join(GRACE / len(left))
        sockets = open_sockets() - sockets_before  # collects garbage: dropped sockets warn now
    unclosed = [text(w.message) for w in caught if issubclass(w.category, ResourceWarning) and "socket" in text(w.message)]
    return {"threads_left": [t.name for t in left if t.is_alive()], "open_sockets": sockets, "unclosed": unclosed}
