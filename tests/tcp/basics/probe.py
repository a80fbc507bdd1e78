"""Runs in the sandbox beside the learner's tcp_basics.py: nothing to add here.

The checks call the learner's functions directly (``learner.server("tcp_basics:serve_once", ...)``);
probe functions are only for what has to be observed from inside the sandbox.
"""
