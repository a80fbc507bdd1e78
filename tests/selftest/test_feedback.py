"""What a learner reads: long values shown where they first differ; a too-large result named."""
import pytest

from grader.feedback import LearnerFailure, equal
from grader.sandbox import wire
from grader.sandbox.process import LearnerProcess


def test_long_values_are_shown_where_they_first_differ():
    expected = "line\n" * 300 + "the end\n"
    got = "line\n" * 300 + "the End\n"
    with pytest.raises(LearnerFailure) as failure:
        equal(got, expected, "不同", "different")
    fields = failure.value.fields()
    assert "End" in fields["got"] and "end" in fields["expected"]
    assert "character 1504 (line 301)" in fields["details"]


def test_short_values_are_shown_whole():
    with pytest.raises(LearnerFailure) as failure:
        equal([1, 2, 3], [1, 2, 4], "不同", "different")
    assert failure.value.fields()["got"] == "[1, 2, 3]" and "details" not in failure.value.fields()


def test_a_result_too_large_for_the_channel_says_its_size_and_the_limit(tmp_path):
    size = wire.MAX_RESULT_BYTES + (1 << 20)
    (tmp_path / "big.py").write_text(f"def run():\n    return b'x' * {size}\n", encoding="utf-8")
    (tmp_path / "probe.py").write_text('"""direct call"""\n', encoding="utf-8")
    with LearnerProcess(files={"big.py": tmp_path / "big.py"}, probe_path=tmp_path / "probe.py",
                        function="big:run") as proc:
        kind, error = proc.result(30)
    assert kind == "error" and error["type"] == "ResultTooLarge"
    assert str(wire.MAX_RESULT_BYTES) in error["message"] and "bytes" in error["message"]
