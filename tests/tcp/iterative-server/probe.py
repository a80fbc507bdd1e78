"""Runs in the sandbox beside the learner's iter_server.py."""
import iter_server


def serve(host, port):
    return iter_server.serve(host, port)
