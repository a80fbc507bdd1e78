"""JUnit XML: one test suite per exercise, points as properties."""
import xml.etree.ElementTree as ET
from pathlib import Path

from .text import feedback_text, points, title


def write(report: dict, path: Path) -> Path:
    root = ET.Element("testsuites", name="grader", tests=str(sum(len(e["checks"]) for e in report["exercises"])),
                      time=f"{report['duration_s']:.3f}")
    for ex in report["exercises"]:
        failed = sum(c["status"] == "failed" for c in ex["checks"])
        skipped = sum(c["status"] == "skipped" for c in ex["checks"])
        suite = ET.SubElement(root, "testsuite", name=ex["id"], tests=str(len(ex["checks"])),
                              failures=str(failed), skipped=str(skipped), errors="0",
                              time=f"{sum(c['duration_s'] for c in ex['checks']):.3f}")
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="score", value=points(ex["score"]))
        ET.SubElement(props, "property", name="max_score", value=points(ex["max_score"]))
        for c in ex["checks"]:
            case = ET.SubElement(suite, "testcase", classname=ex["id"], name=title(c), time=f"{c['duration_s']:.3f}")
            cprops = ET.SubElement(case, "properties")
            ET.SubElement(cprops, "property", name="check", value=c["name"])
            ET.SubElement(cprops, "property", name="points", value=points(c["points"]))
            ET.SubElement(cprops, "property", name="hidden", value=str(c["hidden"]).lower())
            if c["status"] == "failed":
                fb = c.get("feedback") or {}
                node = ET.SubElement(case, "failure", message=(fb.get("en") or "failed")[:500], type=fb.get("kind", "failed"))
                node.text = feedback_text(c)
            elif c["status"] == "skipped":
                ET.SubElement(case, "skipped", message=c.get("skip_reason") or "")
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path
