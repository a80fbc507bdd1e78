"""The sandbox: learner code runs only in confined child processes (see confine.py)."""
from .confine import Confinement, current
from .process import LearnerProcess, Limits, Output

__all__ = ["Confinement", "current", "Limits", "LearnerProcess", "Output"]
