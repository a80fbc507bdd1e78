"""Runs in the sandbox beside the learner's nonblocking_server.py: nothing to add here.

The checks call the learner's functions directly (``learner.server("nonblocking_server:serve", ...)``);
probe functions are only for what has to be observed from inside the sandbox.
"""
