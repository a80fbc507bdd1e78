"""Runs in the sandbox beside the learner's ss_server.py (the server itself is started by the
checks directly: ``learner.server("ss_server:serve", ...)``)."""
import socket
import sys
import threading
import time

import ss_server


def _read_line(sock):
    data = b""
    try:
        while not data.endswith(b"\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        return f"<{type(exc).__name__}: {exc}>"
    return data


def _timed(function, limit):
    """Seconds function() took, None if it had not returned within limit, or its error."""
    outcome = {}

    def run():
        start = time.monotonic()
        try:
            function()
        except BaseException as exc:  # noqa: BLE001 - reported as the learner's error
            outcome["error"] = f"{type(exc).__name__}: {exc}"
        outcome["took"] = time.monotonic() - start

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(limit)
    return outcome.get("error") or outcome.get("took")


def shutdown_cycle(host, limit):
    """make_server(host, 0) serving in a thread; a client talks to it and stays connected;
    then shutdown(), server_close(), a connection attempt, and make_server on the same port
    again.  Every learner call is timed in a helper thread, so a hang is reported, not waited
    out (the sandbox ends the process and its threads after the result is sent)."""
    out = {}
    server = ss_server.make_server(host, 0)
    port = server.server_address[1]
    # serve_forever checks for shutdown() every poll_interval (0.5 s by default)
    loop = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    loop.start()
    client = socket.create_connection((host, port), timeout=limit)
    client.sendall(b"before shutdown\n")
    out["reply"] = _read_line(client)
    out["shutdown"] = _timed(server.shutdown, limit)
    loop.join(limit if isinstance(out["shutdown"], float) else 0)
    out["loop_ended"] = not loop.is_alive()
    out["close"] = _timed(server.server_close, limit)
    try:
        socket.create_connection((host, port), timeout=limit).close()
        out["refused"] = False
    except ConnectionRefusedError:
        out["refused"] = True
    except OSError as exc:
        out["refused"] = f"{type(exc).__name__}: {exc}"
    try:
        again = ss_server.make_server(host, port)  # the first client is still connected
    except OSError as exc:
        out["restart"] = f"{type(exc).__name__}: {exc}"
        return out
    out["restart"] = "ok"
    threading.Thread(target=again.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    second = socket.create_connection((host, port), timeout=limit)
    second.sendall(b"after restart\n")
    out["reply_after_restart"] = _read_line(second)
    return out


def serve_piped(host, port):
    """ss_server.serve with stdout block-buffered, as it is when a server's output goes to a pipe
    or a file (the sandbox makes it line-buffered, as on a terminal, for every other check)."""
    sys.stdout.reconfigure(line_buffering=False)
    ss_server.serve(host, port)
