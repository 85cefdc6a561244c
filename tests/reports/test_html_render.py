"""The HTML report in a real browser (Debian's headless chromium).

The page is loaded from a file with a filter in its address, as a reader would
bookmark it; the DOM after its script ran must show every line, hide exactly
the ones the filter leaves out, log no script error, and try to fetch nothing.
Skipped when chromium is not installed (CI installs Debian's `chromium`).
"""

from __future__ import annotations

import json

import pytest
import yaml
from browser import CHROMIUM, rendered, rows

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed")


def report(cli, tmp_path, source) -> tuple:
    page = tmp_path / "report.html"
    assert cli("check", source, "--format", "html", "--output", page,
               "--fail-on", "never").code == 0
    summary = json.loads(cli("check", source, "--format", "json", "--fail-on", "never").stdout)
    return page, summary["summary"]


def test_every_line_is_a_row_and_the_script_runs_cleanly(cli, tmp_path):
    page, summary = report(cli, tmp_path, "cases/problems/proposal.yaml")
    dom, console = rendered(page, tmp_path)
    assert 'data-ready="1"' in dom, console
    assert len(rows(dom)) == summary["total"]["lines"]
    assert not [row for row in rows(dom) if "hidden" in row]
    assert "Uncaught" not in console and "Refused" not in console, console


def test_a_filter_in_the_address_hides_the_other_lines(cli, tmp_path):
    page, summary = report(cli, tmp_path, "cases/problems/proposal.yaml")
    dom, console = rendered(page, tmp_path, "#status=non_compliant")
    assert 'data-ready="1"' in dom, console
    shown = [row for row in rows(dom) if "hidden" not in row]
    assert len(shown) == summary["non_compliant"]["lines"]
    assert all('data-status="non_compliant"' in row for row in shown)
    assert f'<span id="shown">{len(shown)}</span>' in dom
    dom, _ = rendered(page, tmp_path, "#q=laptops")
    assert len([row for row in rows(dom) if "hidden" not in row]) == 1


def test_hostile_text_stays_text_in_the_browser(cli, tmp_path):
    lines = [
        {"line_id": "H1", "date": "2025-06-01", "amount": 10, "purpose": "family_help",
         "supplier": "<img src=x onerror=alert(1)>", "description": "<script>alert(1)</script>"},
        {"line_id": "H2", "date": "2025-06-01", "amount": 10, "purpose": "family_help",
         "supplier": "</td></tr><tr data-status='x'><td>", "description": "<!-- </script> -->"},
    ]
    source = tmp_path / "hostile.yaml"
    source.write_text(yaml.safe_dump({"council": "<b>Evil</b>", "awards": [
        {"grant": "csc-prevention-2025-26", "amount": 1000}], "lines": lines}))
    page, summary = report(cli, tmp_path, source)
    dom, console = rendered(page, tmp_path)
    assert 'data-ready="1"' in dom, console
    assert len(rows(dom)) == 2
    assert "<img" not in dom and "<b>Evil" not in dom
    assert dom.count("<script>") == 1
    assert "Uncaught" not in console and "Refused" not in console, console
