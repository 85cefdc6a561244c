"""Pages in Debian's headless chromium, for the report and web page tests (they skip
without it; CI installs it)."""

from __future__ import annotations

import re
import shutil
import subprocess

CHROMIUM = shutil.which("chromium")


def rendered(page, tmp_path, fragment: str = "") -> tuple[str, str]:
    """(DOM after the page's script ran, the browser's console log)."""
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--dump-dom", page.as_uri() + fragment],
        capture_output=True, text=True, timeout=120)
    console = "\n".join(line for line in done.stderr.splitlines() if ":CONSOLE" in line)
    return done.stdout, console


def rows(dom: str) -> list[str]:
    return re.findall(r"<tr data-status=[^>]*>", dom)
