"""Reports are written atomically and never over what the run reads (issue 18: 5, 6, 7, 17).

A report takes its name only once it is complete: a run that fails while writing
leaves the earlier report (and the CSV's evidence beside it) as they were.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from helpers import REPO, run_cli

from ringfence.engine.core.exit_codes import ExitCode
from ringfence.engine.reports import replacing as replacing_module
from ringfence.engine.reports.replacing import replacing

PROPOSAL = REPO / "cases" / "rotherham-2025-26" / "proposal.yaml"


class _DiskFull(OSError):
    def __init__(self):
        super().__init__(28, "No space left on device")


def _failing_halfway(real):
    """A writer that writes part of its report, then fails as a full disk would."""
    def write(result, stream, context):
        if stream is None:
            with open(context.output, "wb") as file:
                file.write(b"half a report")
        else:
            stream.write("half a report")
        raise _DiskFull()
    return write


@pytest.mark.parametrize("fmt, module", [("csv", "csv_report"), ("xlsx", "xlsx_report"),
                                         ("md", "md_report"), ("html", "html_report")])
def test_a_failed_write_leaves_the_earlier_report_and_its_evidence(cli, tmp_path, monkeypatch,
                                                                   fmt, module):
    from importlib import import_module

    report = tmp_path / f"report.{fmt}"
    report.write_bytes(b"last run's report")
    evidence = tmp_path / f"report.{fmt}.evidence.json"
    evidence.write_text("last run's evidence")
    writer = import_module(f"ringfence.engine.reports.{module}")
    monkeypatch.setattr(writer, "write", _failing_halfway(writer.write))
    run = cli("check", PROPOSAL, "--format", fmt, "--output", report)
    assert run.code == 2, run.stderr
    assert "cannot write the report: No space left on device" in run.stderr
    assert report.read_bytes() == b"last run's report"
    assert evidence.read_text() == "last run's evidence"
    assert sorted(p.name for p in tmp_path.iterdir()) == [report.name, evidence.name]


def test_the_csv_and_its_evidence_are_replaced_together(cli, tmp_path):
    report = tmp_path / "report.csv"
    report.write_text("old\n")
    (tmp_path / "report.csv.evidence.json").write_text("old\n")
    assert cli("check", PROPOSAL, "--format", "csv", "--output", report).code == 0
    assert report.read_text().startswith("source,row,line_id")
    assert '"inputs"' in (tmp_path / "report.csv.evidence.json").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv", "report.csv.evidence.json"]


def test_the_swap_keeps_the_earlier_reports_permissions_without_os_replace(tmp_path, monkeypatch):
    """On Linux the names are exchanged (no flush of the new file on ext4); os.replace is
    only the fallback."""
    report = tmp_path / "r.txt"
    report.write_text("old")
    report.chmod(0o640)
    used = []
    monkeypatch.setattr(replacing_module.os, "replace",
                        lambda *a: used.append(a) or os.rename(*a))
    with replacing(str(report)) as path, open(path, "w") as stream:
        stream.write("new")
    assert report.read_text() == "new"
    assert oct(report.stat().st_mode & 0o777) == oct(0o640)
    assert used == [] or not hasattr(replacing_module._libc(), "renameat2")
    assert os.listdir(tmp_path) == ["r.txt"]


def test_dev_null_gets_no_evidence_beside_it(cli, tmp_path):
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null")
    run = cli("check", PROPOSAL, "--format", "csv", "--output", "/dev/null")
    assert run.code == 0, run.stderr
    assert not os.path.exists("/dev/null.evidence.json")


@pytest.mark.parametrize("option", ["input", "--awards", "--map", "--waivers", "--baseline"])
@pytest.mark.parametrize("through", ["directly", "symlink", "hard link"])
def test_output_naming_a_file_the_run_reads_is_refused(cli, tmp_path, option, through):
    protected = tmp_path / "read.yaml"
    protected.write_text("kept: true\n")
    output = protected
    if through == "symlink":
        output = tmp_path / "out.json"
        output.symlink_to(protected)
    elif through == "hard link":
        output = tmp_path / "out.json"
        os.link(protected, output)
    args = ["check", protected if option == "input" else PROPOSAL]
    if option != "input":
        args += [option, protected]
    run = cli(*args, "--format", "json", "--output", output)
    assert run.code == 2, run.stderr
    assert "refusing to overwrite it" in run.stderr and len(run.stderr.splitlines()) == 1
    assert protected.read_text() == "kept: true\n"


def test_the_csv_evidence_may_not_overwrite_an_input_either(cli, tmp_path):
    proposal = tmp_path / "r.csv.evidence.json"
    proposal.write_bytes(PROPOSAL.read_bytes())
    run = cli("check", proposal, "--format", "csv", "--output", tmp_path / "r.csv")
    assert run.code == 2 and "refusing to overwrite" in run.stderr
    assert proposal.read_bytes() == PROPOSAL.read_bytes()


def test_diff_output_naming_its_input_is_refused(cli, tmp_path):
    head = tmp_path / "head.yaml"
    head.write_bytes(PROPOSAL.read_bytes())
    run = cli("diff", PROPOSAL, head, "--output", head)
    assert run.code == 2 and "refusing to overwrite" in run.stderr
    assert head.read_bytes() == PROPOSAL.read_bytes()


@pytest.mark.parametrize("spec", ["--output=written.txt:budget.yaml", "-o:budget.yaml",
                                  "--output=written.txt"])
def test_diff_never_passes_a_revision_to_git_as_an_option(tmp_path, spec):
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path)
    repo.commit("budget.yaml", (REPO / "tests" / "fixtures" / "ci" / "budget.yaml").read_text(),
                "Budget")
    run = repo.ringfence("diff", "--", spec, "budget.yaml")
    assert run.returncode == 2, run.stderr
    assert len(run.stderr.splitlines()) == 1 and "Traceback" not in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git", "budget.yaml"]


def test_git_is_told_where_its_options_end(monkeypatch, tmp_path):
    from ringfence.engine.pipeline import diff

    seen = []
    monkeypatch.setattr(diff.subprocess, "run", lambda argv, **kw: seen.append(argv) or
                        subprocess.CompletedProcess(argv, 0, b"lines: []\n", b""))
    diff._local("main:budget.yaml", tmp_path, {})
    assert seen == [["git", "show", "--end-of-options", "main:budget.yaml"]]


class PanicException(BaseException):
    """As pyo3 raises a Rust panic (polars): not an Exception."""


@pytest.mark.parametrize("error", [MemoryError(), OSError(12, "Cannot allocate memory"),
                                   OSError("Cannot allocate memory (os error 12)"),
                                   PanicException("memory allocation of 8 bytes failed"),
                                   PanicException("capacity overflow")],
                         ids=["MemoryError", "ENOMEM", "polars ENOMEM", "panic", "capacity"])
def test_running_out_of_memory_has_its_own_exit_code(cli, monkeypatch, error):
    import ringfence.engine.pipeline.check as pipeline_check

    def out_of_memory(request):
        raise error

    monkeypatch.setattr(pipeline_check, "run_check", out_of_memory)
    run = cli("check", PROPOSAL)
    assert run.code == 4 == ExitCode.OUT_OF_MEMORY
    assert run.stderr.startswith("ringfence: out of memory") and len(run.stderr.splitlines()) == 1


def test_another_panic_is_an_internal_error(cli, monkeypatch):
    import ringfence.engine.pipeline.check as pipeline_check

    def panics(request):
        raise PanicException("index out of bounds")

    monkeypatch.setattr(pipeline_check, "run_check", panics)
    run = cli("check", PROPOSAL)
    assert run.code == 3 and "internal error: PanicException" in run.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
@pytest.mark.parametrize("how", ["os.abort()", "os.kill(os.getpid(), signal.SIGKILL)"])
def test_a_process_killed_for_memory_is_reported_with_its_exit_code(how):
    """Rust aborts when an allocation fails, and the kernel's OOM killer sends SIGKILL:
    the watching parent reports either."""
    import sys

    code = ("import os, signal; from ringfence.cli import _watched; "
            f"_watched(lambda: {how})")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 4
    assert done.stderr.splitlines()[-1].startswith("ringfence: out of memory")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_the_watched_child_exit_code_and_signals_pass_through(tmp_path):
    import sys

    code = "import os; from ringfence.cli import _watched; _watched(lambda: os._exit(7))"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 7
    started = tmp_path / "started"
    sleeper = ("import os, time; from ringfence.cli import _watched; "
               f"_watched(lambda: (open({str(started)!r}, 'w').close(), time.sleep(30), "
               "os._exit(0)))")
    process = subprocess.Popen([sys.executable, "-c", sleeper])
    import time

    for _ in range(600):  # until the child runs (slow to start on a loaded machine)
        if started.exists():
            break
        time.sleep(0.1)
    process.terminate()  # to the parent only: passed on to the child
    assert process.wait(timeout=20) == 128 + 15


def sys_platform_linux() -> bool:
    import sys

    return sys.platform.startswith("linux") and hasattr(os, "fork")


@pytest.mark.skipif(not sys_platform_linux(), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_watched_child_stops_when_its_parent_is_killed(tmp_path):
    """`kill -9` of ringfence (a cancelled CI job) cannot be passed on to the child: the
    child must stop too, not go on and write its report over the earlier one."""
    import sys
    import time

    started, finished = tmp_path / "started", tmp_path / "finished"
    code = ("import time; from ringfence.cli import _watched; "
            f"_watched(lambda: (open({str(started)!r}, 'w').close(), time.sleep(3), "
            f"open({str(finished)!r}, 'w').close()))")
    process = subprocess.Popen([sys.executable, "-c", code])
    for _ in range(600):  # until the child runs (slow to start on a loaded machine)
        if started.exists():
            break
        time.sleep(0.1)
    process.kill()
    process.wait(timeout=20)
    time.sleep(5)  # past the moment an orphaned child would have finished
    assert not finished.exists()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_run_killed_while_writing_leaves_the_earlier_report(tmp_path, fmt):
    """SIGKILL half-way through writing the report: nothing can clean up, and the earlier
    report (and the CSV's evidence) are still whole under their names."""
    import sys

    report = tmp_path / f"report.{fmt}"
    report.write_text("last run's report")
    evidence = tmp_path / f"report.{fmt}.evidence.json"
    evidence.write_text("last run's evidence")
    code = f"""
import os, signal, sys
from ringfence.engine.reports import json_report, csv_report
def killed(result, stream, context=None):
    if stream is None:
        open(context.output, "w").write("half")
    else:
        stream.write("half"); stream.flush()
    os.kill(os.getpid(), signal.SIGKILL)
json_report.write = csv_report.write = killed
from ringfence.cli import main
main(["check", {str(PROPOSAL)!r}, "--format", "{fmt}", "--output", {str(report)!r}])
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    assert report.read_text() == "last run's report"
    assert evidence.read_text() == "last run's evidence"


@pytest.mark.parametrize("fmt", ["csv", "json", "md"])
def test_the_next_run_deletes_what_a_killed_run_was_writing(tmp_path, fmt):
    """The half-written file a SIGKILL leaves (.NAME.PID.tmp, one for each file the run
    writes) is deleted by the next run writing that report, whatever its format."""
    import sys

    report = tmp_path / f"report.{fmt}"
    code = f"""
import os, signal
from ringfence.engine.reports import csv_report, json_report, md_report
for module in (csv_report, json_report, md_report):
    def killed(*args, write=module.write):
        write(*args)  # the whole report, then killed before it takes its name
        os.kill(os.getpid(), signal.SIGKILL)
    module.write = killed
from ringfence.cli import main
main(["check", {str(PROPOSAL)!r}, "--format", "{fmt}", "--output", {str(report)!r}])
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    left = [p.name for p in tmp_path.iterdir()]
    assert left and all(name.startswith(f".report.{fmt}.") for name in left), left
    run = run_cli("check", PROPOSAL, "--format", fmt, "--output", report)
    assert run.code == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [report.name] + (
        [f"{report.name}.evidence.json"] if fmt == "csv" else [])


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout")
def test_output_to_dev_stdout_through_a_pipe_is_written_directly():
    import json
    import sys

    done = subprocess.run([sys.executable, "-m", "ringfence.cli", "check", str(PROPOSAL),
                           "--format", "json", "--output", "/dev/stdout"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["total"]["lines"] > 0


def test_output_into_the_folder_of_packs_is_refused(cli, tmp_path):
    from ringfence.engine.packs.loading import bundled_rules

    pack = bundled_rules() / "csc-prevention-2025-26" / "pack.yaml"
    before = pack.read_bytes()
    run = cli("check", PROPOSAL, "--format", "json", "--output", pack)
    assert run.code == 2 and "folder of grant packs" in run.stderr
    assert pack.read_bytes() == before
    rules = tmp_path / "rules"
    rules.mkdir()
    (tmp_path / "link").symlink_to(rules)
    run = cli("check", PROPOSAL, "--rules", REPO / "rules",
              "--output", tmp_path / "link" / "x.json")
    assert run.code == 0, run.stderr  # another folder than the one read
    run = cli("check", PROPOSAL, "--rules", rules, "--output", tmp_path / "link" / "x.json")
    assert run.code == 2 and "folder of grant packs" in run.stderr
