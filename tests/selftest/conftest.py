"""Fixtures for the grader's own tests (helpers are in support.py)."""
import pytest

from support import SCHEMA


@pytest.fixture
def validate_report():
    import jsonschema

    def check(report):
        jsonschema.validate(report, SCHEMA)
        return report

    return check
