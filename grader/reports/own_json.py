"""The project's own JSON report (schema: report.schema.json)."""
import json
from pathlib import Path

SCHEMA = Path(__file__).with_name("report.schema.json")


def write(report: dict, path: Path) -> Path:
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
