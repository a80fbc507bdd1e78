"""Runs in the sandbox beside the learner's ts_echo.py."""
import ts_echo


def serve(host, port):
    return ts_echo.serve(host, port)


def client(host, port):
    return ts_echo.client(host, port)
