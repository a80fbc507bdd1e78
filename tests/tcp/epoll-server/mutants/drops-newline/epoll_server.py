"""epoll 服务器 / epoll server — mutant drops-newline: the line is sent back without its b"\n" (split() removed it)"""
import select
import socket


def serve(host, port):
    ser_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ser_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ser_socket.bind((host, port))
    ser_socket.listen(128)
    ser_socket.setblocking(False)
    epoll = select.epoll()
    epoll.register(ser_socket.fileno(), select.EPOLLIN | select.EPOLLET)
    socket_dict = {}  # fd -> client socket
    addr_dict = {}    # fd -> client address
    inbox = {}        # fd -> bytes received after the last b"\n"
    outbox = {}       # fd -> bytes not sent back yet
    try:
        while True:
            for fd, _event in epoll.poll():  # IN or OUT: try both reading and sending
                if fd == ser_socket.fileno():
                    # Edge-triggered: one event may stand for several waiting clients.
                    while True:
                        try:
                            new_socket, new_addr = ser_socket.accept()
                        except BlockingIOError:
                            break
                        new_socket.setblocking(False)
                        new_fd = new_socket.fileno()
                        socket_dict[new_fd], addr_dict[new_fd] = new_socket, new_addr
                        inbox[new_fd] = outbox[new_fd] = b""
                        epoll.register(new_fd, select.EPOLLIN | select.EPOLLOUT | select.EPOLLET)
                    continue
                sock, closed = socket_dict[fd], False
                # Edge-triggered: read until recv would block; data left unread gets no new event.
                while True:
                    try:
                        data = sock.recv(1024)
                    except BlockingIOError:
                        break
                    except ConnectionError:
                        data = b""  # reset by the client: as good as gone
                    if not data:
                        closed = True
                        break
                    *lines, inbox[fd] = (inbox[fd] + data).split(b"\n")
                    for line in lines:
                        print(f"<{addr_dict[fd]}>: {line.decode('utf-8', 'replace')}", flush=True)
                        outbox[fd] += line  # split() took the b"\n" away and it is never put back
                # Send what we can; the rest waits for the next EPOLLOUT (room in the send buffer).
                while outbox[fd]:
                    try:
                        sent = sock.send(outbox[fd])
                    except BlockingIOError:
                        break
                    except ConnectionError:  # the client is gone
                        closed = True
                        break
                    outbox[fd] = outbox[fd][sent:]
                if closed:
                    print(f"客户端{addr_dict[fd]}已退出", flush=True)
                    epoll.unregister(fd)
                    sock.close()
                    del socket_dict[fd], addr_dict[fd], inbox[fd], outbox[fd]
    finally:
        epoll.close()
        ser_socket.close()
