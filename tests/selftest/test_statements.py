"""Every statement lists its graded checks and their points, as exercise.toml has them."""
from grader import statements


def test_every_statement_has_an_up_to_date_grading_table():
    stale = statements.sync(write=False)
    assert stale == [], "run `grader statements` and commit the statements:\n" + "\n".join(stale)
