"""SocketServer 高级模块 / The socketserver module — see README.md."""
import socketserver


class EchoHandler(socketserver.StreamRequestHandler):
    """Serves one client (socketserver calls handle() in a new thread for each connection)."""

    def handle(self):
        """Read lines from self.rfile until the client leaves; for each complete line print
        <{self.client_address}>: text and write the line back to self.wfile unchanged.  When
        the input ends (or the connection is reset: ConnectionResetError), print
        客户端{self.client_address}退出 and return."""
        raise NotImplementedError("TODO: EchoHandler.handle")


class EchoServer(socketserver.ThreadingTCPServer):
    """A thread per client.  TODO: set allow_reuse_address and daemon_threads (see README.md)."""


def make_server(host, port):
    """Return an EchoServer listening on (host, port) with EchoHandler, not serving yet."""
    raise NotImplementedError("TODO: make_server")


def serve(host, port):
    """Create the server with make_server and serve_forever (runs for ever)."""
    raise NotImplementedError("TODO: serve")
