"""Runs in the sandbox beside the learner's select_server.py."""
import select_server


def serve(host, port):
    return select_server.serve(host, port)
