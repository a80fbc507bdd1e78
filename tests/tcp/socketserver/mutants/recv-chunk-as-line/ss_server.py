"""SocketServer 高级模块 / The socketserver module — mutant recv-chunk-as-line: BaseRequestHandler taking every recv() as one whole line"""
import socketserver


class EchoHandler(socketserver.BaseRequestHandler):
    """Serves one client, in a thread of its own: echoes and logs every line until it leaves."""

    def handle(self):
        addr = self.client_address
        try:
            while True:
                data = self.request.recv(1024)
                if not data:
                    break
                text = data.decode("utf-8", "replace").rstrip("\n")  # one recv taken as one line
                print(f"<{addr}>: {text}", flush=True)
                self.request.sendall((text + "\n").encode())
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
