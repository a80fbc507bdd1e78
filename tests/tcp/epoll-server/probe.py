"""Runs in the sandbox beside the learner's epoll_server.py."""
import epoll_server


def serve(host, port):
    return epoll_server.serve(host, port)
