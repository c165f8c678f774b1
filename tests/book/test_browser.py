"""The built book, opened page by page in headless Chromium (Debian's, driven by Playwright), with no network.

The site is served on 127.0.0.1; every request to any other host is aborted and recorded, so a page that needs
a CDN fails. On every page: no console error, no failed request, math typeset by the book's own MathJax, every
image loaded. Then the next/previous buttons walk the table of contents, and the search page finds a word.
A screenshot of one chapter goes to test-artifacts/. On each chapter, every launch and download link leads to a
file of the build or to a configured service. `make browser` installs Chromium.
"""

import functools
import http.server
import json
import threading
import time
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import yaml
from booktools import ARTIFACTS_DIR, ROOT, toc_docnames

SCREENSHOT_CHAPTER = "chapters/01_neuron"
# Pages Sphinx adds to the toc's own: the index redirect, the general and module indexes, the search page.
EXTRA_PAGES = ["index", "genindex", "py-modindex", "search"]

# Run in the page: is every piece of math typeset, and is raw TeX left anywhere outside code?
MATH_REPORT = r"""() => {
  const maths = [...document.querySelectorAll("span.math, div.math")];
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest("pre, code, script, style, textarea, kbd, samp, mjx-container")) continue;
    if (/\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{/.test(node.textContent)) raw.push(node.textContent.trim().slice(0, 120));
  }
  return {
    count: maths.length,
    untypeset: maths.filter(el => !el.querySelector("mjx-container")).map(el => el.textContent.slice(0, 120)),
    errors: [...document.querySelectorAll("mjx-merror")].map(el => el.getAttribute("data-mjx-error") || el.textContent),
    raw: raw,
  };
}"""

# Run in the page: load every image (even lazy ones) and list those that did not load.
BROKEN_IMAGES = r"""async () => {
  const images = [...document.images];
  images.forEach(img => { img.loading = "eager"; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener("load", done);
    img.addEventListener("error", done);
  })));
  return images.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.currentSrc || img.src);
}"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature http.server calls
        pass


@pytest.fixture(scope="module")
def site(book_html):
    """The built book served on 127.0.0.1 at an ephemeral port; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=book_html))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class Visit:
    """One browser tab on the site, recording everything that went wrong while it was open."""

    def __init__(self, browser, site):
        self.site = site
        self.host = urlparse(site).netloc
        self.blocked, self.console_errors, self.failed = [], [], []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        # Seconds alone, but make test loads the pages beside the grading tests on two cores (a plotly page took 35 s).
        self.context.set_default_timeout(90_000)
        self.context.route(self._is_remote, self._block)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        self.page.on("requestfailed", lambda request: self.failed.append(f"{request.url}: {request.failure}"))
        self.page.on("response", lambda response: response.status >= 400 and self.failed.append(response.url))
        self.pending = set()  # requests started and not yet finished or failed
        self.page.on("request", lambda request: self.pending.add(request))
        self.page.on("requestfinished", lambda request: self.pending.discard(request))
        self.page.on("requestfailed", lambda request: self.pending.discard(request))

    def _is_remote(self, url):
        parsed = urlparse(url)
        return parsed.scheme in {"http", "https", "ws", "wss"} and parsed.netloc != self.host

    def _block(self, route):
        self.blocked.append(route.request.url)
        route.abort()

    def open(self, docname):
        self.page.goto(self.site + docname + ".html", wait_until="load")
        return self.page

    def settle(self, quiet_ms=500, timeout_s=90):
        """Wait until every request the page started has ended and none started for ``quiet_ms``; on timeout,
        fail naming the requests still open (Chromium's own "networkidle" says nothing about them)."""
        deadline, quiet_since = time.monotonic() + timeout_s, None
        while time.monotonic() < deadline:
            if self.pending:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_ms / 1000:
                return
            self.page.wait_for_timeout(100)
        pytest.fail(f"requests still open after {timeout_s} s: {sorted(request.url for request in self.pending)[:10]}")

    def problems(self):
        failed_local = [url for url in self.failed if not self._is_remote(url.split(": ")[0])]
        return {
            "requests to other hosts": self.blocked,
            "console errors": self.console_errors,
            "failed requests": failed_local,
        }

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site):
    tab = Visit(browser, site)
    yield tab
    tab.close()


def wait_for_mathjax(page):
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("() => MathJax.startup.promise.then(() => true)")


@pytest.mark.parametrize("docname", toc_docnames() + EXTRA_PAGES)
def test_page_renders_offline(visit, docname):
    page = visit.open(docname)
    if docname == "index":
        page.wait_for_url("**/intro.html")
        page.wait_for_load_state("load")
    math = page.evaluate(MATH_REPORT)
    if math["count"]:
        wait_for_mathjax(page)
        math = page.evaluate(MATH_REPORT)
        assert page.locator("mjx-container").count() >= math["count"]
    assert not math["untypeset"], f"math left untypeset: {math['untypeset'][:5]}"
    assert not math["errors"], f"MathJax errors: {math['errors'][:5]}"
    assert not math["raw"], f"raw TeX in the page's text: {math['raw'][:5]}"
    assert page.evaluate(BROKEN_IMAGES) == []
    visit.settle()
    assert {kind: found for kind, found in visit.problems().items() if found} == {}


def test_pages_with_math_are_typeset(visit):
    """The per-page check above only bites where there is math: make sure it does on the notation page."""
    page = visit.open("notation")
    wait_for_mathjax(page)
    assert page.locator("mjx-container").count() > 50
    assert page.locator("mjx-container[display='true']").count() >= 3  # the numbered display equations
    assert page.locator("span.eqno").count() >= 3


def _docname(url):
    return urlparse(url).path.strip("/").removesuffix(".html")


def walk(page):
    """Click the "next" button until it disappears; return the docnames visited, starting with the current, and
    for each the docname its "previous" button leads to (None where it has none)."""
    visited, previous = [], []
    while True:
        visited.append(_docname(page.url))
        back = page.locator(".prev-next-area a.left-prev")
        previous.append(_docname(urljoin(page.url, back.first.get_attribute("href"))) if back.count() else None)
        forward = page.locator(".prev-next-area a.right-next")
        if not forward.count():
            return visited, previous
        with page.expect_navigation(wait_until="domcontentloaded"):
            forward.first.click()
        assert len(visited) <= 50, f"the next buttons go round in circles: {visited}"


def test_next_and_previous_buttons_walk_the_table_of_contents(visit):
    pages = toc_docnames()
    visit.open(pages[0])
    visited, previous = walk(visit.page)
    assert visited == pages
    assert previous == [None, *pages[:-1]]
    assert visit.problems()["requests to other hosts"] == []


def test_search_finds_backpropagation(visit):
    page = visit.page
    page.goto(visit.site + "search.html?q=backpropagation", wait_until="load")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for()
    links = [results.nth(i).locator("a").first.get_attribute("href") for i in range(results.count())]
    assert any(link.startswith("chapters/07_backpropagation.html") for link in links), links
    assert {kind: found for kind, found in visit.problems().items() if found} == {}


def test_screenshot_of_a_chapter(visit):
    page = visit.open(SCREENSHOT_CHAPTER)
    if page.evaluate(MATH_REPORT)["count"]:
        wait_for_mathjax(page)
    page.evaluate(BROKEN_IMAGES)
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    target = ARTIFACTS_DIR / f"{SCREENSHOT_CHAPTER.replace('/', '-')}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 20_000  # a rendered page, not a blank one
    assert page.locator("article h1").first.is_visible()


# ---------------------------------------------------------------------------------------------------------------
# Launch and download links (issue: three environments, launch buttons that open a chapter ready to run).
HEADER_LINKS = (
    "() => [...document.querySelectorAll('.article-header-buttons a[href]')].map(a => a.getAttribute('href'))"
)


def _configured_services():
    """{host: what} for every external service _config.yml configures a button for."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    launch = config.get("launch_buttons", {})
    services = {urlparse(config["repository"]["url"]).netloc: "repository"}
    for key in ("binderhub_url", "jupyterhub_url", "colab_url"):
        if launch.get(key):
            services[urlparse(launch[key]).netloc] = key
    return config, services


@pytest.mark.parametrize("docname", [name for name in toc_docnames() if name.startswith("chapters/")])
def test_every_launch_and_download_link_of_a_chapter_leads_somewhere(visit, book_html, docname):
    """Each link of the header's menus is a file of the build, or a well-formed URL of a configured service."""
    config, services = _configured_services()
    repository = urlparse(config["repository"]["url"]).path.strip("/")
    branch = config["repository"].get("branch", "main")
    page = visit.page
    page.goto(visit.site + docname + ".html", wait_until="domcontentloaded")  # the header is all this test reads
    links = page.evaluate(HEADER_LINKS)
    assert links, "no launch or download link on the page"
    page_url = visit.site + docname + ".html"
    kinds = set()
    for href in links:
        url = urlparse(href)
        if not url.scheme:  # a file of the build
            target = (book_html / docname).parent / url.path
            assert target.resolve().is_file(), f"{href} is not in the build"
            response = page.request.get(urljoin(page_url, href))
            assert response.ok, f"{href}: HTTP {response.status}"
            assert not target.name.endswith(".md"), f"{href}: a download of raw Markdown text"
            if target.suffix == ".ipynb":
                notebook = json.loads(target.read_text(encoding="utf-8"))
                assert any(cell["cell_type"] == "code" for cell in notebook["cells"]), f"{href}: no code cell"
                kinds.add("ipynb")
            continue
        assert url.scheme == "https", href
        assert url.netloc in services, f"{href}: no configured service at {url.netloc}"
        service = services[url.netloc]
        kinds.add(service)
        if service == "binderhub_url":
            # The repository's learner environment (binder/), opening the chapter's own file in JupyterLab.
            assert url.path == f"/v2/gh/{repository}/{branch}", href
            assert parse_qs(url.query)["urlpath"] == [f"lab/tree/{docname}.md"], href
            assert (ROOT / f"{docname}.md").is_file() and (ROOT / "binder" / "requirements.txt").is_file()
        elif service == "jupyterhub_url":
            assert url.path == "/hub/user-redirect/git-pull", href
            assert parse_qs(url.query)["repo"] == [config["repository"]["url"]], href
        elif service == "colab_url":
            assert url.path.endswith(".ipynb"), f"{href}: Colab opens notebooks only"
        else:
            assert url.path.startswith(f"/{repository}"), href
    assert {"ipynb", "binderhub_url"} <= kinds, f"missing: the notebook download or the Binder button ({links})"
