"""Runs in the sandbox beside the learner's mp_server.py."""
import mp_server


def serve(host, port):
    return mp_server.serve(host, port)
