"""多线程聊天服务器 / Multi-threaded chat server — see README.md."""
import queue  # noqa: F401
import socket  # noqa: F401
import threading

users = []  # the users in the room, in the order they joined
users_lock = threading.Lock()  # every handler thread adds to, removes from and walks this list


def send_to_others(text, sender):
    """Queue text (a str ending in "\\n") for every user in the room except sender.

    Must never block on a socket: put the UTF-8 bytes in each user's outgoing queue.
    """
    raise NotImplementedError("TODO: send_to_others")


def write_loop(user):
    """One thread per user: take what is queued for this user and sendall it, in order.

    Return when the queue yields None (the user left) or sending fails.
    """
    raise NotImplementedError("TODO: write_loop")


def read_lines(conn):
    """A generator: yield every line (bytes, without b"\\n") the client sends, until it
    leaves (recv returns b"" or raises OSError).  One recv may hold half a line or several."""
    raise NotImplementedError("TODO: read_lines")


def handle_client(conn, addr):
    """Runs in its own thread and serves one user.

    The first line is the nickname: add the user to users, send it the welcome
    "*** 欢迎 {nick}，当前在线 {n} 人\\n", tell the others "*** {nick} 加入了聊天室\\n".
    Every later line goes to the others as "{nick}: {text}\\n".  When the user leaves
    (EOF or connection error): remove it from users, tell the others
    "*** {nick} 离开了聊天室\\n", stop its writer thread and close conn.
    """
    raise NotImplementedError("TODO: handle_client")


def serve(host, port):
    """Listen on (host, port) with SO_REUSEADDR and accept users for ever, one
    threading.Thread(target=handle_client, args=(conn, addr)) each."""
    raise NotImplementedError("TODO: serve")
