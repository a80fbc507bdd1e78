"""Runs in the sandbox beside the learner's ts_echo.py: nothing to add here.

The checks call the learner's functions directly (``learner.server("ts_echo:serve", ...)``);
probe functions are only for what has to be observed from inside the sandbox.
"""
