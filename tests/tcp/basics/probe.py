"""Runs in the sandbox beside the learner's tcp_basics.py."""
import tcp_basics


def serve_once(host, port):
    return tcp_basics.serve_once(host, port)


def send_message(host, port, text):
    return tcp_basics.send_message(host, port, text)
