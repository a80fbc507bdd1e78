"""Runs in the sandbox beside the learner's chat_server.py."""
import chat_server


def serve(host, port):
    return chat_server.serve(host, port)
