"""Runs in the sandbox beside the learner's mp_server.py: nothing to add here.

The checks call the learner's functions directly (``learner.server("mp_server:serve", ...)``);
probe functions are only for what has to be observed from inside the sandbox.
"""
