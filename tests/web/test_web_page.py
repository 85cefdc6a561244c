"""The web page in a real browser: Debian's headless chromium, driven by selenium through
chromium-driver. Upload a proposal, see the statuses, follow the downloads.
Skipped when chromium or chromium-driver is not installed (.ci/run installs both)."""

from __future__ import annotations

import json
import shutil
import time

import pytest
from helpers import REPO, workbook_of
from webserver import running_server

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="Debian's chromium and chromium-driver are not installed")


@pytest.fixture(scope="module")
def server():
    with running_server("--workers", "1") as base:
        yield base


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,1000"):
        options.add_argument(flag)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def downloaded(folder, name: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        path = folder / name
        if path.is_file() and not list(folder.glob("*.crdownload")):
            return path
        time.sleep(0.2)
    raise AssertionError(f"{name} was not downloaded: {[p.name for p in folder.iterdir()]}")


def upload(browser, base, path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(base + "/")
    browser.find_element(By.ID, "file").send_keys(str(path))
    browser.find_element(By.ID, "check").click()
    WebDriverWait(browser, 120).until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, "nav.downloads, #error")))


def test_upload_a_workbook_see_the_statuses_and_download_the_reports(browser, server, tmp_path):
    from openpyxl import load_workbook
    from selenium.webdriver.common.by import By

    book = workbook_of(REPO / "cases" / "problems" / "proposal.yaml", tmp_path / "plan.xlsx")
    upload(browser, server, book)
    statuses = [row.get_attribute("data-status")
                for row in browser.find_elements(By.CSS_SELECTOR, "#lines tbody tr")]
    assert len(statuses) == 22
    assert {"compliant", "at_risk", "non_compliant"} <= set(statuses)
    page = browser.find_element(By.TAG_NAME, "body").text
    assert "Checked plan.xlsx" in page
    assert "children-families-2025-26 (31/7834) would take it" in page

    browser.find_element(By.ID, "download-json").click()
    report = json.loads(downloaded(browser.downloads, "plan-report.json").read_text())
    assert [line["status"] for line in report["lines"]] == statuses
    browser.find_element(By.ID, "download-xlsx").click()
    workbook = load_workbook(downloaded(browser.downloads, "plan-report.xlsx"))
    assert workbook.sheetnames == ["Summary", "Lines", "Findings", "Evidence"]


def test_bad_input_shows_its_one_line_message_on_the_form(browser, server):
    from selenium.webdriver.common.by import By

    upload(browser, server, REPO / "cases" / "bad-input" / "bad-amount.yaml")
    error = browser.find_element(By.ID, "error").text
    assert error.startswith("bad-amount.yaml:9: lines[1].amount:")
    assert browser.find_element(By.ID, "file").get_attribute("type") == "file"
