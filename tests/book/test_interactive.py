"""The interactive figures work in the built book, offline and without a kernel: in headless Chromium (the set-up
of test_browser.py, network cut off), moving a slider of the single-neuron figure of chapter 1 redraws it.

The figure is plotly (chapters/_figures.py), drawn by the plotly.js that _ext/offline_book.py ships in the build.
"""

from test_browser import site, visit  # noqa: F401 - the served site and a tab are fixtures (browser: tests/conftest.py)

CHAPTER = "chapters/01_neuron"
FIGURE = "#figure-neuron"

# Run in the page: what the figure shows (its drawn SVG) and which slider steps are active.
FIGURE_STATE = """(selector) => {
  const figure = document.querySelector(selector);
  return {
    svg: [...figure.querySelectorAll(".main-svg")].map(svg => svg.innerHTML).join(""),
    active: figure.layout.sliders.map(slider => slider.active),
    title: figure.layout.title.text,
  };
}"""


def test_moving_a_slider_redraws_the_neuron_figure(visit):  # noqa: F811 - the fixture imported above
    page = visit.open(CHAPTER)
    page.locator(f"{FIGURE} .main-svg").first.wait_for()
    assert page.evaluate("() => typeof Plotly.newPlot") == "function"  # the book's own plotly.js
    before = page.evaluate(FIGURE_STATE, FIGURE)
    rail = page.locator(f"{FIGURE} .slider-container .slider-rail-touch-rect").first  # the slider of w1
    rail.scroll_into_view_if_needed()
    box = rail.bounding_box()  # in the viewport's coordinates, which the mouse uses
    page.mouse.click(box["x"] + 0.95 * box["width"], box["y"] + box["height"] / 2)
    page.wait_for_function(
        "([selector, title]) => document.querySelector(selector).layout.title.text !== title",
        arg=[FIGURE, before["title"]],
    )
    after = page.evaluate(FIGURE_STATE, FIGURE)
    assert after["active"][0] > before["active"][0] and after["active"][1:] == before["active"][1:]
    assert after["title"].startswith("w = (3, -3), b = 0.5: accuracy ")
    assert after["svg"] != before["svg"]
    assert {kind: found for kind, found in visit.problems().items() if found} == {}
