"""Runs in the sandbox beside the learner's chat_server.py: nothing to add here.

The checks call the learner's functions directly (``learner.server("chat_server:serve", ...)``);
probe functions are only for what has to be observed from inside the sandbox.
"""
