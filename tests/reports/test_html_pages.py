"""The HTML report's table in a real browser: drawn from the page's data, a page at a time.

The page carries the lines once, as data its script reads; the first page of
rows is also written as HTML for readers without scripts. The script's rows
must be those rows exactly, a large report must open on one page of the lines
the address's filter leaves, and every page and filter must be reachable.
Skipped when chromium is not installed (CI installs Debian's `chromium`).
"""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from browser import CHROMIUM, rendered, rows
from helpers import REPO

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed")

FIXTURES = REPO / "tests" / "fixtures"


class _Tree(HTMLParser):
    """An element tree flattened to events, attribute order and quoting set aside."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, tuple(sorted(attrs))))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        if self.events and self.events[-1][0] == "text":
            self.events[-1] = ("text", self.events[-1][1] + data)
        else:
            self.events.append(("text", data))


def _lines_body(page: str) -> list[tuple]:
    body = re.search(r"<table id=.lines.>.*?<tbody>(.*?)</tbody>", page, re.S).group(1)
    body = body.strip().replace("</tr>\n<tr", "</tr><tr")  # written a row a line
    tree = _Tree()
    tree.feed(body)
    return tree.events


@pytest.mark.parametrize("args", [
    ["cases/problems/proposal.yaml"],
    [FIXTURES / "ci" / "mixed.yaml", "--waivers", FIXTURES / "ci" / "waivers.yaml",
     "--today", "2025-09-01"],
    [FIXTURES / "ci" / "budget.yaml"],
], ids=["problems", "waivers", "budget"])
def test_the_script_draws_the_rows_the_page_was_written_with(cli, tmp_path, args):
    page = tmp_path / "report.html"
    run = cli("check", *args, "--format", "html", "--output", page, "--fail-on", "never")
    assert run.code == 0, run.stderr
    dom, console = rendered(page, tmp_path)
    assert 'data-ready="1"' in dom, console
    written = _lines_body(page.read_text(encoding="utf-8"))
    assert written and _lines_body(dom) == written


def test_an_amended_pack_names_each_lines_version_in_the_drawn_rows(cli, tmp_path):
    proposal = tmp_path / "amended.yaml"
    proposal.write_text(
        "awards: [{grant: amended, amount: 1000}]\nlines:\n"
        "  - {line_id: H2, date: 2025-11-01, amount: 10, purpose: alpha, category: Hospitality}\n"
        "  - {line_id: H3, date: 2026-05-01, amount: 10, purpose: alpha, category: Hospitality}\n")
    page = tmp_path / "report.html"
    cli("check", proposal, "--rules", FIXTURES / "packs", "--format", "html", "--output", page,
        "--fail-on", "never")
    dom, console = rendered(page, tmp_path)
    assert 'data-ready="1"' in dom, console
    assert _lines_body(dom) == _lines_body(page.read_text(encoding="utf-8"))
    assert "version 2" in dom and "version 3" in dom


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """(page, lines by status) for a generated ledger of 100,000 lines."""
    folder = tmp_path_factory.mktemp("large")
    ledger = folder / "ledger.csv"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "100000", str(ledger),
                    "--seed", "19"], check=True)
    page = folder / "report.html"
    done = subprocess.run([sys.executable, "-m", "ringfence.cli", "check", str(ledger),
                           "--awards", str(ledger.with_suffix(".awards.yaml")), "--format",
                           "html", "--output", str(page), "--fail-on", "never"],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = page.read_text(encoding="utf-8")
    counts = dict(re.findall(r"<td><span class='badge (\w+)'>[^<]*</span></td>"
                             r"<td class='num'>(\d+)</td>", text))
    assert sum(map(int, counts.values())) == 100_000
    return page, {status: int(count) for status, count in counts.items()}


def test_a_large_report_opens_on_one_page_of_the_filtered_lines(large, tmp_path):
    page, counts = large
    assert page.stat().st_size < 30_000_000  # the lines once, as data: not a row of HTML each
    dom, console = rendered(page, tmp_path, "#status=at_risk&page=2")
    assert 'data-ready="1"' in dom, console
    assert "Uncaught" not in console, console
    assert f'<span id="shown">{counts["at_risk"]}</span>' in dom
    drawn = rows(dom)
    assert len(drawn) == 100 and all('data-status="at_risk"' in row for row in drawn)
    assert f'page 2 of {-(-counts["at_risk"] // 100)}' in dom


def test_a_large_reports_text_filter_finds_one_line(large, tmp_path):
    page, _ = large
    dom, console = rendered(page, tmp_path, "#q=t00054321")
    assert 'data-ready="1"' in dom, console
    assert '<span id="shown">1</span>' in dom
    assert len(rows(dom)) == 1 and "T00054321" in dom
