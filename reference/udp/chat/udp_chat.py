"""局域网聊天 · 模拟QQ聊天 / UDP chat — reference solution."""
import socket
import threading

ENCODING = "gbk"  # as the notes (QQ / 飞秋 on Windows)
BUFSIZE = 65535  # more than the largest UDP datagram: no message is ever cut
PROMPT = "<< "


def receive(sock, stop):
    """The receive thread: print every datagram as "\\r>> {addr}:{text}", then the prompt
    again; end once stop is set (chat() then wakes this thread with shutdown)."""
    while True:
        try:
            data, addr = sock.recvfrom(BUFSIZE)
        except OSError:  # the socket is gone
            break
        if stop.is_set() or addr is None:  # woken by shutdown(): no datagram, the chat is over
            break
        # b"" is an empty datagram, not the end (that is TCP); bytes that are not GBK are shown as �.
        print(f"\r>> {addr}:{data.decode(ENCODING, 'replace')}")
        print(PROMPT, end="", flush=True)


def send_typed(sock, peer):
    """The send loop: every line typed is one datagram to peer, until "exit" or the end of input."""
    while True:
        try:
            line = input(PROMPT)
        except EOFError:  # Ctrl-D
            return
        if line == "exit":
            return
        sock.sendto(line.encode(ENCODING, "replace"), peer)  # what GBK cannot write is sent as "?"


def chat(host, port):
    """Bind (host, port), ask for the other side's IP and port, then send what is typed while a
    thread prints what arrives; on "exit" or end of input stop that thread, close, return."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind((host, port))
        peer_ip = input("对方的IP: ")
        peer_port = int(input("对方的Port: "))
        stop = threading.Event()
        receiver = threading.Thread(target=receive, args=(sock, stop))
        receiver.start()
        try:
            send_typed(sock, (peer_ip, peer_port))
        finally:
            stop.set()
            try:
                # Wakes the thread blocked in recvfrom (close() alone would not).  An unconnected
                # UDP socket answers ENOTCONN, and is woken all the same.
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            receiver.join()
    finally:
        sock.close()
