"""SocketServer 高级模块 / The socketserver module — mutant forking-server: socketserver.ForkingTCPServer: a child process per client, not a thread"""
import socketserver


class EchoHandler(socketserver.StreamRequestHandler):
    """Serves one client, in a thread of its own: echoes and logs every line until it leaves."""

    def handle(self):
        addr = self.client_address
        try:
            for line in self.rfile:  # readline joins TCP's fragments into whole lines for us
                if not line.endswith(b"\n"):
                    break  # the client closed in the middle of a line
                print(f"<{addr}>: {line[:-1].decode('utf-8', 'replace')}", flush=True)
                self.wfile.write(line)  # unbuffered: a sendall on the socket
        except ConnectionError:
            pass  # reset by the client: as good as gone
        print(f"客户端{addr}退出", flush=True)


class EchoServer(socketserver.ForkingTCPServer):  # a process per client
    allow_reuse_address = True  # restart on the same port at once, even while old clients are connected
    daemon_threads = True  # server_close() does not wait for clients that stay connected


def make_server(host, port):
    return EchoServer((host, port), EchoHandler)


def serve(host, port):
    with make_server(host, port) as server:
        server.serve_forever()
