"""Regenerate the README's pictures of the commissioners' tools, with the project's own
commands:

    python docs/screenshots.py

- docs/images/web-page.png: the upload page of `ringfence serve`;
- docs/images/web-report.png: the page after uploading a proposal workbook, and
  docs/images/web-advice.png further down, at a line with funding advice;
- docs/images/proposal-workbook.png: the workbook `ringfence new proposal` writes, filled
  in (the worked problems case), as LibreOffice prints its Lines sheet;
- docs/images/cabinet-workbook.png: the Summary sheet of `--format xlsx`.

Needs Debian's chromium, chromium-driver, libreoffice-calc-nogui and poppler-utils
(pdftoppm), and the test extras (selenium).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IMAGES = REPO / "docs" / "images"
CASE = REPO / "cases" / "problems" / "proposal.yaml"
sys.path.insert(0, str(REPO / "tests"))


def need(command: str, package: str) -> str:
    found = shutil.which(command)
    if not found:
        raise SystemExit(f"screenshots: {command} not found: apt-get install {package}")
    return found


def proposal_workbook(folder: Path) -> Path:
    from ringfence.engine.authoring.proposal_workbook import write_proposal_workbook
    from ringfence.engine.core.validation import validate
    from ringfence.engine.core.yamlio import load_file
    from ringfence.engine.models.awards import Proposal
    from ringfence.engine.packs.loading import load_packs

    path = folder / "proposal.xlsx"
    write_proposal_workbook(str(path), load_packs(),
                            proposal=validate(Proposal, load_file(CASE)))
    return path


def sheet_picture(book: Path, sheet: str, out: Path, folder: Path) -> None:
    """One sheet of a workbook as LibreOffice prints it, first page, as PNG."""
    from openpyxl import load_workbook

    single = load_workbook(book)
    for name in single.sheetnames:
        if name != sheet:
            del single[name]
    only = folder / f"{out.stem}.xlsx"
    single.save(only)
    subprocess.run([need("soffice", "libreoffice-calc-nogui"), "--headless",
                    f"-env:UserInstallation={(folder / 'lo').as_uri()}", "--convert-to", "pdf",
                    "--outdir", str(folder), str(only)], check=True, capture_output=True)
    subprocess.run([need("pdftoppm", "poppler-utils"), "-png", "-r", "110", "-f", "1", "-l", "1",
                    "-singlefile", str(folder / f"{out.stem}.pdf"), str(out.with_suffix(""))],
                   check=True)


def page_pictures(book: Path, folder: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    from webserver import running_server

    options = webdriver.ChromeOptions()
    options.binary_location = need("chromium", "chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={folder / 'profile'}", "--window-size=1280,900",
                 "--hide-scrollbars"):
        options.add_argument(flag)
    with running_server("--workers", "1") as base:
        driver = webdriver.Chrome(service=Service(need("chromedriver", "chromium-driver")),
                                  options=options)
        try:
            driver.get(base + "/")
            driver.save_screenshot(str(IMAGES / "web-page.png"))
            driver.find_element(By.ID, "file").send_keys(str(book))
            driver.find_element(By.ID, "check").click()
            WebDriverWait(driver, 120).until(expected_conditions.presence_of_element_located(
                (By.CSS_SELECTOR, "nav.downloads")))
            driver.save_screenshot(str(IMAGES / "web-report.png"))
            # E12 continues an existing service: advised to the Children and Families Grant.
            driver.execute_script("[...document.querySelectorAll('#lines tbody tr')]"
                                  ".find(row => row.cells[0].textContent === 'E12')"
                                  ".scrollIntoView()")
            driver.save_screenshot(str(IMAGES / "web-advice.png"))
        finally:
            driver.quit()


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ringfence-shots-") as name:
        folder = Path(name)
        book = proposal_workbook(folder)
        sheet_picture(book, "Lines", IMAGES / "proposal-workbook.png", folder)
        report = folder / "report.xlsx"
        subprocess.run([sys.executable, "-m", "ringfence.cli", "check", str(book), "--format",
                        "xlsx", "--output", str(report), "--fail-on", "never"], check=True)
        sheet_picture(report, "Summary", IMAGES / "cabinet-workbook.png", folder)
        page_pictures(book, folder)
    for picture in sorted(IMAGES.glob("*.png")):
        print(picture.relative_to(REPO))


if __name__ == "__main__":
    main()
