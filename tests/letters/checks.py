"""Debian's epubcheck and pdftotext, as the tests run them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")


def epubcheck(path: Path) -> None:
    """Fail unless epubcheck finds the EPUB valid (its jar runs under java, so no binfmt is needed)."""
    if not EPUBCHECK_JAR.exists() or shutil.which("java") is None:
        pytest.skip("epubcheck not installed (apt-get install epubcheck)")
    result = subprocess.run(["java", "-jar", str(EPUBCHECK_JAR), str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
