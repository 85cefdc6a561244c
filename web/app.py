"""`ringfence serve`: a local web page and JSON API over `ringfence check`.

Built on Starlette (the ASGI toolkit under FastAPI: maintained, small, typed, with
multipart forms through python-multipart and an OpenAPI generator from the
endpoints' docstrings), served by uvicorn.

- `GET /`: a page to drop a proposal (YAML, CSV or XLSX) with optional awards
  and column map; `POST /report` answers with the same HTML report `check
  --format html` writes, with downloads of the xlsx and JSON reports;
- `POST /api/check`: multipart `file` (and optional `awards`, `map`): 200 with
  exactly the JSON report `check --format json` gives, 400 `{"error": ...}` with
  the one-line message the command line prints, 413 above the upload limit;
- `GET /api/packs`: the bundled packs, their purposes and rules;
- `GET /new-proposal.xlsx`: a proposal workbook to fill in;
- `GET /openapi.json`: the API described.

Uploads live only in a temporary folder made for the request and deleted when
it is answered. Checks run in a pool of worker processes (see worker.py): two
requests never share a durable-rules host, which is not thread-safe.
"""

from __future__ import annotations

import asyncio
import base64
import multiprocessing
import re
import tempfile
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from html import escape
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.schemas import SchemaGenerator

from ringfence.engine import __version__

from . import worker

MB = 1024 * 1024
DEFAULT_MAX_UPLOAD = 20 * MB
#: How much of a too-large upload is read (and dropped) before answering 413.
DRAIN = 256 * MB
#: The multipart fields a check takes, and what each holds.
FIELDS = {"file": "the proposal or ledger (.yaml, .yml, .json, .csv or .xlsx)",
          "awards": "awards YAML, for a ledger (optional; overrides a workbook's Awards sheet)",
          "map": "column map YAML, for a ledger with its own column names (optional)"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TooLarge(Exception):
    pass


class BadUpload(Exception):
    pass


def create_app(max_upload: int = DEFAULT_MAX_UPLOAD, workers: int = 2) -> Starlette:
    @asynccontextmanager
    async def lifespan(app):
        # Spawned, not forked: a fork of a process running an event loop and threads can
        # inherit held locks.
        app.state.pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        try:
            yield
        finally:
            app.state.pool.shutdown(cancel_futures=True)

    async def page(request: Request) -> Response:
        """The upload page."""
        return HTMLResponse(upload_page(max_upload))

    async def report(request: Request) -> Response:
        """The page's form: the HTML report with downloads, or the form with the error."""
        try:
            answer = await _check(request, ("html", "json", "xlsx"))
        except TooLarge:
            return HTMLResponse(upload_page(max_upload, _too_large(max_upload)), 413)
        except BadUpload as exc:
            return HTMLResponse(upload_page(max_upload, str(exc)), 400)
        if "error" in answer:
            return HTMLResponse(upload_page(max_upload, answer["error"]), _status(answer))
        return HTMLResponse(with_downloads(answer["reports"], answer["name"]))

    async def api_check(request: Request) -> Response:
        """
        ---
        summary: Check a proposal or ledger
        description: >-
          Exactly the JSON report `ringfence check FILE --format json` gives for the same
          files (the verdict is in the body, not the status code).
        requestBody:
          required: true
          content:
            multipart/form-data:
              schema:
                type: object
                required: [file]
                properties:
                  file:
                    type: string
                    format: binary
                    description: proposal (.yaml, .yml, .json, .xlsx) or ledger (.csv, .xlsx)
                  awards: {type: string, format: binary, description: awards YAML (optional)}
                  map: {type: string, format: binary, description: column map YAML (optional)}
        responses:
          "200":
            description: The JSON report (see shared/notes/architecture.md for its contract).
            content: {application/json: {schema: {type: object}}}
          "400":
            description: Bad input, with the one-line message the command line prints.
            content:
              application/json:
                schema: {type: object, properties: {error: {type: string}}, required: [error]}
          "413":
            description: The upload is larger than the server's --max-upload.
            content:
              application/json:
                schema: {type: object, properties: {error: {type: string}}, required: [error]}
          "500":
            description: A bug in ringfence, not in the input (the message says what failed).
            content:
              application/json:
                schema: {type: object, properties: {error: {type: string}}, required: [error]}
        """
        try:
            answer = await _check(request, ("json",))
        except TooLarge:
            return JSONResponse({"error": _too_large(max_upload)}, 413)
        except BadUpload as exc:
            return JSONResponse({"error": str(exc)}, 400)
        if "error" in answer:
            return JSONResponse({"error": answer["error"]}, _status(answer))
        return Response(answer["reports"]["json"], media_type="application/json")

    async def api_packs(request: Request) -> Response:
        """
        ---
        summary: The bundled grant packs
        description: Each pack's id, title, determination, period, purposes and rules.
        responses:
          "200":
            description: A list of packs.
            content: {application/json: {schema: {type: array, items: {type: object}}}}
        """
        packs = await _in_pool(request, worker.packs_description)
        return JSONResponse(packs)

    async def new_proposal(request: Request) -> Response:
        """
        ---
        summary: A proposal workbook to fill in
        description: Sheets Awards and Lines with drop-down lists, and a Guide to the packs.
        responses:
          "200":
            description: The workbook.
            content: {application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: {}}
        """
        content = await _in_pool(request, worker.new_proposal_workbook)
        return Response(content, media_type=XLSX_TYPE, headers={
            "Content-Disposition": 'attachment; filename="proposal.xlsx"'})

    schemas = SchemaGenerator({"openapi": "3.0.3", "info": {
        "title": "ringfence", "version": __version__,
        "description": "Checks council spending against the conditions of ringfenced "
                       "section 31 grants."}})

    async def openapi(request: Request) -> Response:
        return JSONResponse(schemas.get_schema(routes=app.routes))

    async def _check(request: Request, formats: tuple[str, ...]) -> dict:
        form = await _form(request, max_upload)
        with tempfile.TemporaryDirectory(prefix="ringfence-upload-") as folder:
            names = await _save(form, Path(folder))
            answer = await _in_pool(request, worker.check_folder, folder, [names["file"]],
                                    names.get("awards"), names.get("map"), formats)
        answer["name"] = names["file"]
        return answer

    app = Starlette(routes=[
        Route("/", page, methods=["GET"], include_in_schema=False),
        Route("/report", report, methods=["POST"], include_in_schema=False),
        Route("/api/check", api_check, methods=["POST"]),
        Route("/api/packs", api_packs, methods=["GET"]),
        Route("/new-proposal.xlsx", new_proposal, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"], include_in_schema=False),
    ], lifespan=lifespan)
    return app


def _status(answer: dict) -> int:
    return 500 if answer.get("internal") else 400


async def _in_pool(request: Request, function, *args):
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(request.app.state.pool, function, *args)


async def _form(request: Request, limit: int):
    """The multipart form, kept only up to `limit` bytes (TooLarge beyond).

    A larger body is still read (and dropped), up to DRAIN bytes: a client that sends
    its whole body before reading the answer would otherwise find the connection closed
    under it, and never see the 413."""
    body = bytearray()
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            if size > max(DRAIN, limit):
                break
            continue
        body += chunk
    if size > limit:
        raise TooLarge()

    async def replay():
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    try:
        return await Request(request.scope, replay).form(max_files=len(FIELDS),
                                                         max_fields=len(FIELDS) + 2)
    except Exception as exc:  # a body that is not a multipart form
        raise BadUpload(f"not a multipart form upload ({getattr(exc, 'detail', exc)})") from None


async def _save(form, folder: Path) -> dict[str, str]:
    """Each uploaded field as a file in `folder`, under its own (cleaned) name."""
    unknown = [key for key in form.keys() if key not in FIELDS]
    if unknown:
        raise BadUpload(f"unknown field '{unknown[0]}' (fields: {', '.join(FIELDS)})")
    names: dict[str, str] = {}
    for field in FIELDS:
        upload = form.get(field)
        if upload is None or (isinstance(upload, UploadFile) and not upload.filename):
            continue
        if not isinstance(upload, UploadFile):
            raise BadUpload(f"{field}: expected a file, got a text field")
        name = _clean_name(upload.filename, field)
        while name in names.values():
            name = f"{field}-{name}"
        (folder / name).write_bytes(await upload.read())
        names[field] = name
    if "file" not in names:
        raise BadUpload("no file: send the proposal or ledger in the multipart field 'file'")
    return names


def _clean_name(filename: str, field: str) -> str:
    """The upload's own name, as a plain name in the folder (reports show it)."""
    name = re.sub(r"[^A-Za-z0-9._ -]", "_", Path(filename.replace("\\", "/")).name).strip(" .")
    return name or field


def _too_large(limit: int) -> str:
    return f"upload too large: the limit is {limit / MB:g} MB (ringfence serve --max-upload)"


PAGE_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#222;max-width:60rem}
h1{font-size:1.5rem}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
.hint{color:#555;font-size:.9rem;font-weight:normal}
button{margin-top:1.2rem;padding:.5rem 1.4rem;font-size:1rem}
.error{background:#fde8e8;border:1px solid #c0392b;padding:.6rem;border-radius:4px}
"""  # noqa: E501 (the style sheet is written as it is sent)


def upload_page(max_upload: int, error: str | None = None) -> str:
    shown = f"<p class='error' id='error'>{escape(error)}</p>" if error else ""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; form-action 'self'\">"
        f"<title>ringfence: check a proposal</title><style>{PAGE_STYLE}</style></head><body>"
        "<h1>Check a proposal against its grants' conditions</h1>"
        "<p>Drop a proposal: a workbook (<a href='/new-proposal.xlsx'>start from this one</a>), "
        "a YAML proposal, or a ledger exported as CSV or Excel with its awards. Each line comes "
        "back compliant, at risk or non-compliant, with the clause of the condition, and for "
        "lines its own grant refuses, the other grants that would take them.</p>"
        f"{shown}"
        "<form method='post' action='/report' enctype='multipart/form-data'>"
        "<label for='file'>Proposal or ledger <span class='hint'>(.xlsx, .yaml, .csv)</span>"
        "</label><input id='file' name='file' type='file' required "
        "accept='.xlsx,.yaml,.yml,.json,.csv'>"
        "<label for='awards'>Awards <span class='hint'>(optional YAML: for a ledger, or to "
        "override a workbook's Awards sheet)</span></label>"
        "<input id='awards' name='awards' type='file' accept='.yaml,.yml,.json'>"
        "<label for='map'>Column map <span class='hint'>(optional YAML: for a ledger with its "
        "own column names)</span></label>"
        "<input id='map' name='map' type='file' accept='.yaml,.yml,.json'>"
        f"<div><button type='submit' id='check'>Check</button> <span class='hint'>up to "
        f"{max_upload / MB:g} MB; the files are deleted as soon as the report is made</span>"
        "</div></form>"
        "<p class='hint'>The same check as an API: <code>POST /api/check</code> "
        "(<a href='/openapi.json'>OpenAPI description</a>); the grant packs: "
        "<a href='/api/packs'>/api/packs</a>.</p></body></html>")


def with_downloads(reports: dict, name: str) -> str:
    """The HTML report with a bar of downloads: the xlsx and JSON reports as data: links
    (nothing of the check is kept on the server to fetch later)."""
    stem = Path(name).stem or "report"
    xlsx = base64.b64encode(reports["xlsx"]).decode("ascii")
    data = base64.b64encode(reports["json"].encode("utf-8")).decode("ascii")
    bar = (f"<nav class='downloads' style='background:#eef4fb;border:1px solid #9bbbe0;"
           f"padding:.6rem 1rem;margin-bottom:1rem'>Checked <b>{escape(name)}</b>. Download: "
           f"<a id='download-xlsx' download='{escape(stem)}-report.xlsx' "
           f"href='data:{XLSX_TYPE};base64,{xlsx}'>workbook for Cabinet (.xlsx)</a> · "
           f"<a id='download-json' download='{escape(stem)}-report.json' "
           f"href='data:application/json;base64,{data}'>JSON report</a> · "
           "<a href='/'>check another file</a></nav>")
    html = reports["html"]
    at = html.index("<body>") + len("<body>") if "<body>" in html else 0
    return html[:at] + bar + html[at:]
