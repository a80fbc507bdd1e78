"""Runs in the sandbox beside the learner's mt_server.py."""
import mt_server


def serve(host, port):
    return mt_server.serve(host, port)
