"""多线程聊天服务器 / Multi-threaded chat server — reference solution."""
import queue
import socket
import threading

users = []  # the users in the room, in the order they joined: {"nick", "conn", "outbox"}
users_lock = threading.Lock()  # every handler thread adds to, removes from and walks this list


def send_to_others(text, sender):
    """Queue text for every user in the room except sender (never blocks on a socket)."""
    data = text.encode("utf-8")
    with users_lock:
        for user in users:
            if user is not sender:
                user["outbox"].put(data)


def write_loop(user):
    """One thread per user: send what is queued for this user, in order.

    A user who does not read blocks only its own writer, never the thread relaying
    someone else's line.
    """
    while True:
        data = user["outbox"].get()
        if data is None:  # the user has left
            return
        try:
            user["conn"].sendall(data)
        except OSError:  # the connection is gone; the user's reader thread cleans up
            return


def read_lines(conn):
    """Yield every line (bytes, without b"\\n") the client sends, until it leaves."""
    buffer = b""
    while True:
        try:
            data = conn.recv(4096)
        except OSError:  # reset by the client, or shut down
            return
        if not data:
            return
        buffer += data
        # TCP is a stream: one recv may hold part of a line, or several lines.
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield line


def handle_client(conn, addr):
    """Runs in its own thread: the client's nickname, then its lines, until it leaves."""
    lines = read_lines(conn)
    first = next(lines, None)
    if first is None:  # left before saying who it is
        conn.close()
        return
    nick = first.decode("utf-8", "replace")
    user = {"nick": nick, "conn": conn, "outbox": queue.Queue()}
    writer = threading.Thread(target=write_loop, args=(user,), daemon=True)
    writer.start()
    with users_lock:  # joined and welcomed at once: the welcome is the first line the user gets
        online = len(users)  # counted before the newcomer is added
        users.append(user)
        user["outbox"].put(f"*** 欢迎 {nick}，当前在线 {online} 人\n".encode())
    print(f"当前用户{online}", flush=True)
    send_to_others(f"*** {nick} 加入了聊天室\n", user)

    for line in lines:
        send_to_others(f"{nick}: {line.decode('utf-8', 'replace')}\n", user)

    with users_lock:  # gone: nothing is queued for this user any more
        users.remove(user)
        online = len(users)
    print(f"当前用户{online}", flush=True)
    send_to_others(f"*** {nick} 离开了聊天室\n", user)
    user["outbox"].put(None)  # stops the writer once it is idle ...
    try:
        conn.shutdown(socket.SHUT_RDWR)  # ... or at once, if it is stuck sending to a user who stopped reading
    except OSError:
        pass
    writer.join()
    conn.close()


def serve(host, port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(128)
    try:
        while True:
            conn, addr = server.accept()
            threading.Thread(target=handle_client, args=(conn, addr), daemon=True).start()
    finally:
        server.close()
