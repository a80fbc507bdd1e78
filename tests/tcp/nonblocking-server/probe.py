"""Runs in the sandbox beside the learner's nonblocking_server.py."""
import nonblocking_server


def serve(host, port):
    return nonblocking_server.serve(host, port)
