"""The formgrader in a browser, started the documented way (JupyterLab in the course folder), as a grader uses it.

A course with 01_neuron released and one autograded submission; ``jupyter lab`` starts in the course folder
(headless, on 127.0.0.1, with a token); Debian's Chromium (driven by Playwright, as in tests/book/test_browser.py)
opens the formgrader's page of the submission, finds the marking note under the written answer, enters a score,
and ``nbgrader export`` then shows the new total. Every request to another host is aborted and recorded: the
formgrader's math is typeset by MathJax from the Jupyter server, and the feedback page's math is MathML, drawn
with no request at all.
"""

import csv
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from course_grader.workflow import MARKING_NOTE_HEADING
from course_harness import Assignment, fill, make_course, nbgrader, release_notebook, submit

# `make test-extended`, not `make test`: an instructor's engines end to end (an exchange round, the formgrader in
# a browser, PostgreSQL, Dask), minutes of CI time that the 20-minute budget cannot hold.
pytestmark = pytest.mark.extended

NAME = "01_neuron"
STUDENT = "ada"
JUPYTER = str(Path(sys.executable).parent / "jupyter")
WRITTEN_ANSWER = r"The bias is minus the threshold: $w \cdot x < \theta$ is $w \cdot x + b < 0$ with $b = -\theta$."


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _total(course):
    result = nbgrader(course, "export", "--to=grades.csv")
    assert result.returncode == 0, result.stdout
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(handle)}[STUDENT]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """01_neuron released, the reference solution submitted by ada, autograded, and its feedback generated."""
    course = make_course(tmp_path_factory.mktemp("formgrader"), [NAME])
    for command in (["generate_assignment", NAME, "--force"], ["autograde", NAME], ["generate_feedback", NAME]):
        if command[0] == "autograde":
            assignment = Assignment(course, NAME)
            written = dict.fromkeys(assignment.manual, WRITTEN_ANSWER)
            submit(course, NAME, STUDENT, fill(release_notebook(course, NAME), assignment.solutions, written))
        result = nbgrader(course, *command)
        assert result.returncode == 0, result.stdout
    return course


@pytest.fixture(scope="module")
def server(course):
    """``jupyter lab`` started in the course folder, as instructor.md says; yields (base URL, token)."""
    port, token = _free_port(), secrets.token_hex(16)
    log = open(course / "jupyter.log", "w")
    process = subprocess.Popen(
        [JUPYTER, "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=course,
        env=dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"jupyter lab did not start:\n{(course / 'jupyter.log').read_text()}")
            time.sleep(0.5)
    yield base, token
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def _context_offline(browser, allowed):
    """A browser context that aborts every request whose URL ``allowed`` refuses; the list records them."""
    blocked = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(lambda url: not allowed(url), lambda route: (blocked.append(route.request.url), route.abort()))
    return context, blocked


def test_a_grader_sees_the_marking_note_and_the_manual_score_reaches_the_export(course, server, browser):
    from nbgrader.api import Gradebook

    base, token = server
    assignment = Assignment(course, NAME)
    written_id = next(iter(assignment.manual))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(NAME, NAME, STUDENT).id
    before = _total(course)

    context, blocked = _context_offline(browser, lambda url: urlparse(url).hostname in ("127.0.0.1", "localhost"))
    context.set_default_timeout(60_000)
    page = context.new_page()
    failed = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    # The formgrader's front page (the page JupyterLab's Formgrader tab shows), then the submission's page.
    page.goto(f"{base}/formgrader?token={token}")
    page.get_by_text("Manage Assignments").first.wait_for()
    page.goto(f"{base}/formgrader/submissions/{submission}/")
    note = page.get_by_text(MARKING_NOTE_HEADING)
    note.wait_for()
    assert "Marking (instructors)" in page.locator("body").inner_text()
    # MathJax 2 from the Jupyter server typesets the page, the written answer's formulas included.
    page.wait_for_function("() => window.MathJax && MathJax.loaded", timeout=60_000)
    answer = page.locator(".nbgrader_cell", has_text="The bias is minus the threshold").first
    typed = [formula.text_content() for formula in answer.locator('script[type^="math/tex"]').all()]
    assert typed == [r"w \cdot x < \theta", r"w \cdot x + b < 0", r"b = -\theta"]
    assert answer.locator("span.MathJax").count() == 3 and "$" not in answer.inner_text()

    score = page.locator(f"input.score#{written_id}")
    score.fill("1")
    score.press("Tab")
    page.wait_for_function(
        f"() => $('#{written_id}').closest('.nbgrader_cell').find('.score-saved').is(':visible')", timeout=60_000
    )
    context.close()

    assert _total(course) == before + 1
    assert not blocked and not failed, (blocked, failed)


def test_the_feedback_page_draws_its_math_offline(course, browser):
    """Opened from the disk with every request aborted: MathML, laid out by the browser, and no raw TeX."""
    page_path = course / "feedback" / STUDENT / NAME / f"{NAME}.html"
    context, blocked = _context_offline(browser, lambda url: url.startswith("file:"))
    page = context.new_page()
    page.goto(page_path.as_uri())
    formulas = page.locator(".text_cell_render math")
    widths = [box["width"] for box in (formulas.nth(i).bounding_box() for i in range(formulas.count()))]
    text = page.locator(".text_cell_render").all_inner_texts()
    context.close()
    assert len(widths) >= 10 and min(widths) > 0, widths
    assert not [block for block in text if "$" in block or "\\theta" in block]
    assert not blocked
