"""Generated submissions for the benchmark and the grader's own tests.

``write_hanging_submission`` writes, for every exercise, the stub's functions with bodies
that never finish: plain functions spin for ever, and functions named in ``servers`` of
exercise.toml accept connections and never answer.
"""
from __future__ import annotations

import ast
from pathlib import Path

from . import catalog

_SPIN = "    while True:\n        pass\n"
_SILENT_SERVER = """    import socket
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(({host}, {port}))
    server.listen(128)
    held = []
    while True:
        held.append(server.accept())
"""


def hanging_module(stub_source: str, servers) -> str:
    out = ['"""Generated: every function hangs."""\n']
    for node in ast.parse(stub_source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            params = [a.arg for a in node.args.args]
            out.append(f"\ndef {node.name}({ast.unparse(node.args)}):\n")
            if node.name in servers and len(params) >= 2:
                out.append(_SILENT_SERVER.format(host=params[0], port=params[1]))
            else:
                out.append(_SPIN)
    return "".join(out)


def write_hanging_submission(root: Path, exercises) -> Path:
    for ex in exercises:
        for name, stub in ex.files_in(catalog.REPO / "exercises").items():
            dest = root / ex.id / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(hanging_module(stub.read_text(encoding="utf-8"), ex.servers), encoding="utf-8")
    return root
