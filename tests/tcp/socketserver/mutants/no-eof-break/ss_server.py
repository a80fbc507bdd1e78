"""SocketServer 高级模块 / The socketserver module — mutant no-eof-break: BaseRequestHandler whose recv loop never stops at EOF: the thread spins for ever"""
import socketserver


class EchoHandler(socketserver.BaseRequestHandler):
    """Serves one client, in a thread of its own: echoes and logs every line until it leaves."""

    def handle(self):
        addr = self.client_address
        buffer = b""
        try:
            while True:  # no "if not data: break": at EOF recv returns b"" for ever
                data = self.request.recv(1024)
                *lines, buffer = (buffer + data).split(b"\n")
                for line in lines:
                    print(f"<{addr}>: {line.decode('utf-8', 'replace')}", flush=True)
                    self.request.sendall(line + b"\n")
        except ConnectionError:
            pass  # reset by the client: as good as gone
        print(f"客户端{addr}退出", flush=True)


class EchoServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True  # restart on the same port at once, even while old clients are connected
    daemon_threads = True  # server_close() does not wait for clients that stay connected


def make_server(host, port):
    return EchoServer((host, port), EchoHandler)


def serve(host, port):
    with make_server(host, port) as server:
        server.serve_forever()
