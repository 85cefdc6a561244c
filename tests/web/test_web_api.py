"""`ringfence serve`, called over HTTP on 127.0.0.1: the API gives exactly the JSON that
`check --format json` gives, one-line errors, 413 above the limit; uploads do not stay."""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from helpers import REPO, workbook_of
from webserver import running_server

CASES = REPO / "cases"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    uploads = tmp_path_factory.mktemp("server-tmp")
    with running_server("--max-upload", "1MB", "--workers", "2", tmpdir=uploads) as base:
        yield base, uploads


def cli_json(cli, monkeypatch, folder, *names):
    """`check --format json` run where the files are, as the server runs it."""
    monkeypatch.chdir(folder)
    args = [names[0]]
    for option, name in zip(("--awards", "--map"), names[1:]):
        if name:
            args += [option, name]
    return cli("check", *args, "--format", "json")


def post(base, files: dict, path="/api/check"):
    opened = {field: (p.name, p.read_bytes()) for field, p in files.items()}
    return httpx.post(base + path, files=opened, timeout=120)


def test_a_proposal_gets_exactly_the_json_of_check(server, cli, monkeypatch, tmp_path):
    base, _ = server
    shutil.copy(CASES / "problems" / "proposal.yaml", tmp_path / "proposal.yaml")
    answer = post(base, {"file": tmp_path / "proposal.yaml"})
    assert answer.status_code == 200  # the verdict (non-compliant) is in the body
    assert answer.headers["content-type"].startswith("application/json")
    expected = cli_json(cli, monkeypatch, tmp_path, "proposal.yaml")
    assert expected.code == 1
    assert answer.text == expected.stdout


def test_a_proposal_workbook_gets_exactly_the_json_of_check(server, cli, monkeypatch, tmp_path):
    base, _ = server
    book = workbook_of(CASES / "rotherham-2025-26" / "proposal.yaml", tmp_path / "plan.xlsx")
    answer = post(base, {"file": book})
    assert answer.status_code == 200
    assert answer.text == cli_json(cli, monkeypatch, tmp_path, "plan.xlsx").stdout
    assert json.loads(answer.text)["summary"]["total"] == {"lines": 80, "amount": "2180500.00"}


def test_a_ledger_with_awards_and_map(server, cli, monkeypatch, tmp_path):
    base, _ = server
    case = CASES / "rotherham-2025-26"
    shutil.copy(case / "ledger-2025-26.csv", tmp_path / "ledger.csv")
    shutil.copy(case / "awards.yaml", tmp_path / "awards.yaml")
    shutil.copy(CASES / "maps" / "rotherham-ledger.yaml", tmp_path / "map.yaml")
    answer = post(base, {"file": tmp_path / "ledger.csv", "awards": tmp_path / "awards.yaml",
                         "map": tmp_path / "map.yaml"})
    assert answer.status_code == 200, answer.text
    expected = cli_json(cli, monkeypatch, tmp_path, "ledger.csv", "awards.yaml", "map.yaml")
    assert answer.text == expected.stdout


def test_bad_input_gets_400_with_the_one_line_message(server, cli, monkeypatch, tmp_path):
    base, _ = server
    shutil.copy(CASES / "bad-input" / "bad-amount.yaml", tmp_path / "bad-amount.yaml")
    answer = post(base, {"file": tmp_path / "bad-amount.yaml"})
    assert answer.status_code == 400
    expected = cli_json(cli, monkeypatch, tmp_path, "bad-amount.yaml")
    assert expected.code == 2
    assert answer.json() == {"error": expected.stderr.strip().removeprefix("ringfence: ")}


def test_a_request_without_a_file_gets_400(server):
    base, _ = server
    answer = httpx.post(base + "/api/check", files={"awards": ("a.yaml", b"awards: []")})
    assert answer.status_code == 400
    assert "field 'file'" in answer.json()["error"]


def test_an_upload_above_the_limit_gets_413(server, tmp_path):
    base, _ = server
    big = tmp_path / "big.csv"
    big.write_bytes(b"line_id,amount\n" + b"L,1\n" * 300_000)  # 1.2 MB, limit 1 MB
    answer = post(base, {"file": big})
    assert answer.status_code == 413
    assert "limit is 1 MB" in answer.json()["error"]


def test_concurrent_requests_share_nothing(server, tmp_path):
    base, _ = server
    files = {"problems.yaml": CASES / "problems" / "proposal.yaml",
             "rotherham.yaml": CASES / "rotherham-2025-26" / "proposal.yaml"}
    for name, source in files.items():
        shutil.copy(source, tmp_path / name)
    alone = {name: post(base, {"file": tmp_path / name}).text for name in files}
    order = list(files) * 4
    with ThreadPoolExecutor(max_workers=len(order)) as pool:
        answers = list(pool.map(lambda name: post(base, {"file": tmp_path / name}).text, order))
    assert answers == [alone[name] for name in order]


def test_uploads_are_deleted_after_each_request(server, tmp_path):
    base, uploads = server
    shutil.copy(CASES / "problems" / "proposal.yaml", tmp_path / "proposal.yaml")
    post(base, {"file": tmp_path / "proposal.yaml"})
    post(base, {"file": tmp_path / "proposal.yaml"}, path="/report")
    assert [p.name for p in uploads.iterdir() if p.name.startswith("ringfence-")] == []


def test_packs_are_listed_with_purposes_and_rules(server):
    base, _ = server
    packs = {p["id"]: p for p in httpx.get(base + "/api/packs", timeout=60).json()}
    assert set(packs) == {"children-families-2025-26", "csc-prevention-2025-26",
                          "ffpp-transformation-2025-26"}
    prevention = packs["csc-prevention-2025-26"]
    assert prevention["determination"] == "31/7833"
    assert set(prevention["purposes"]) == {"transformation", "family_help", "workforce", "voice"}
    assert any(rule["id"] == "existing-service.continuation" and rule["clause"]
               for rule in prevention["rules"])


def test_the_api_is_described_in_openapi(server):
    base, _ = server
    spec = httpx.get(base + "/openapi.json", timeout=30).json()
    assert spec["openapi"].startswith("3.")
    check = spec["paths"]["/api/check"]["post"]
    assert set(check["responses"]) == {"200", "400", "413", "500"}
    fields = check["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert set(fields) == {"file", "awards", "map"}
    assert "get" in spec["paths"]["/api/packs"]


def test_the_page_offers_an_upload_form(server):
    base, _ = server
    page = httpx.get(base + "/", timeout=30).text
    assert "<form method='post' action='/report' enctype='multipart/form-data'>" in page
    assert "name='file' type='file'" in page
    assert "name='awards'" in page and "name='map'" in page


def test_the_empty_workbook_can_be_downloaded(server, tmp_path):
    base, _ = server
    answer = httpx.get(base + "/new-proposal.xlsx", timeout=60)
    assert answer.status_code == 200
    (tmp_path / "new.xlsx").write_bytes(answer.content)
    from openpyxl import load_workbook

    assert load_workbook(tmp_path / "new.xlsx").sheetnames[:3] == ["Awards", "Lines", "Guide"]


def test_serve_binds_to_this_machine_only_unless_told(cli):
    help_text = cli("serve", "--help").stdout
    assert "127.0.0.1" in help_text and "--max-upload" in help_text


def test_a_client_that_sends_everything_before_reading_still_gets_413(server):
    """As clients without `Expect: 100-continue` do: the whole body, then the answer."""
    import socket
    from urllib.parse import urlsplit

    base, _ = server
    url = urlsplit(base)
    boundary = "ringfence-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() + \
        b"L,1\n" * 400_000 + f"\r\n--{boundary}--\r\n".encode()
    head = (f"POST /api/check HTTP/1.1\r\nHost: {url.netloc}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection((url.hostname, url.port), timeout=60) as connection:
        connection.sendall(head + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"limit is 1 MB" in answer


def test_a_port_in_use_is_a_one_line_usage_error(cli):
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        run = cli("serve", "--port", port)
    assert run.code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in run.stderr


def test_a_bug_is_a_500_with_a_one_line_message(tmp_path, monkeypatch):
    """In the worker itself (a server cannot be made to fail on purpose from outside)."""
    from ringfence.web import worker

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(worker, "run_check", broken)
    shutil.copy(CASES / "problems" / "proposal.yaml", tmp_path / "proposal.yaml")
    cwd = os.getcwd()
    try:
        answer = worker.check_folder(str(tmp_path), ["proposal.yaml"], None, None, ("json",))
    finally:
        os.chdir(cwd)  # the worker leaves its folder for /
    assert answer == {"error": "internal error: RuntimeError: boom", "internal": True}
