"""SocketServer 高级模块 / The socketserver module — mutant one-line-per-connection: handles one line and returns, which closes the connection"""
import socketserver


class EchoHandler(socketserver.StreamRequestHandler):
    """Serves one client, in a thread of its own: echoes and logs every line until it leaves."""

    def handle(self):
        addr = self.client_address
        try:
            line = self.rfile.readline()  # handle() is called once per connection: one line only
            if line.endswith(b"\n"):
                print(f"<{addr}>: {line[:-1].decode('utf-8', 'replace')}", flush=True)
                self.wfile.write(line)
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
