"""The check behind the web page and API, run in a worker process.

durable-rules is not thread-safe and never releases the GIL (see the notes on
it): each check runs in a process of a pool, one check at a time per process,
so two requests never share a durable-rules host, a working folder or any other
state. A worker runs the check from inside the request's temporary folder with
bare file names, so the report names the files as the commissioner named them,
and is exactly what `ringfence check FILE --format json` gives there.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from ringfence.engine.core.errors import InputError, one_line
from ringfence.engine.inputs.ledger import RejectedRowsError
from ringfence.engine.pipeline.check import CheckRequest, run_check
from ringfence.engine.reports import WRITERS, WriteContext

#: --fail-on of the check the reports come from (the CLI's default): it is in their evidence.
FAIL_ON = "non_compliant"


def check_folder(folder: str, inputs: list[str], awards: str | None, column_map: str | None,
                 formats: tuple[str, ...]) -> dict:
    """{"reports": {format: text or bytes}, "status": ...} or {"error": one line}, with
    "internal": True when the error is a bug rather than the input's."""
    os.chdir(folder)
    try:
        request = CheckRequest(inputs, awards=awards, column_map=column_map,
                               options={"format": "json", "fail_on": FAIL_ON}, jobs=1,
                               fail_on=FAIL_ON)
        result = run_check(request)
        reports = {fmt: _render(result, fmt, Path(folder)) for fmt in formats}
        return {"reports": reports, "status": result.status}
    except RejectedRowsError as exc:
        return {"error": one_line("; ".join(exc.lines()))}
    except InputError as exc:
        return {"error": one_line(str(exc))}
    except Exception as exc:  # a bug, not the upload: said as the command line says it
        return {"error": one_line(f"internal error: {type(exc).__name__}: {exc}"),
                "internal": True}
    finally:
        os.chdir("/")


def _render(result, fmt: str, folder: Path):
    writer = WRITERS[fmt]
    if writer.binary:
        out = folder / f"report.{fmt}"
        writer.write(result, None, WriteContext(output=str(out)))
        return out.read_bytes()
    stream = io.StringIO()
    writer.write(result, stream, WriteContext())
    return stream.getvalue()


def packs_description() -> list[dict]:
    """The bundled packs, their purposes and rules, for GET /api/packs."""
    from ringfence.engine.packs.loading import load_packs

    out = []
    for pack_id, loaded in sorted(load_packs().items()):
        pack = loaded.versions[-1].pack
        out.append({
            "id": pack_id, "title": pack.title, "determination": pack.determination,
            "legal_basis": pack.legal_basis,
            "period": {"start": pack.period.start.isoformat(), "end": pack.period.end.isoformat()},
            "purposes": dict(pack.purposes),
            "rules": [{"id": rule.id, "title": rule.title, "status": rule.status,
                       "clause": rule.clause} for rule in pack.rules]})
    return out


def new_proposal_workbook() -> bytes:
    """An empty proposal workbook (`ringfence new proposal`), for GET /new-proposal.xlsx."""
    import tempfile

    from ringfence.engine.authoring.proposal_workbook import write_proposal_workbook
    from ringfence.engine.packs.loading import load_packs

    with tempfile.TemporaryDirectory(prefix="ringfence-new-") as folder:
        path = Path(folder) / "proposal.xlsx"
        write_proposal_workbook(str(path), load_packs())
        return path.read_bytes()
