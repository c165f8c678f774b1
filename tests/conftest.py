"""The headless Chromium that the browser tests drive, and how `make test` shares the suite between its pytest-xdist
workers (``--dist loadgroup``).

An expensive fixture is built once per worker that uses it, so the tests sharing one are kept on one worker:
the whole book (one build, which nbval also reads its reference outputs from), each assignment's graded course
(the session fixture ``graded``, one per assignment) and each other test module (its module fixtures).
tests/env/test_test_suite.py checks that the groups hold.
"""

import shutil
from pathlib import Path

import pytest

BOOK_TESTS = Path(__file__).parent / "book"
CHAPTERS = Path(__file__).parent.parent / "chapters"  # nbval's items are the chapters' cells (tests/book/conftest.py)
CHROMIUM = Path("/usr/bin/chromium")  # Debian's (`make browser`), driven by Playwright
CHROMIUM_ARGS = [  # no first-run, update, sync or background requests: the tests record any request off the machine
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _group(item):
    if BOOK_TESTS in item.path.parents or item.path.parent == CHAPTERS:
        return "book"
    params = getattr(item, "callspec", None)
    if params is not None and "graded" in params.params:
        return f"graded-{params.params['graded']}"
    return item.path.stem  # test modules have unique names


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups into the node ids
def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_group(item)))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: run `make browser` (make test does it for you)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
