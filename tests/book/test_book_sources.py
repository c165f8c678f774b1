"""Fast checks of the book's sources, before anything is built: the table of contents, the bibliography every
chapter may cite, the glossary and the single repository URL."""

import re

import yaml
from booktools import ROOT, chapter_files, toc_docnames

CHAPTER_ORDER = [
    "chapters/01_neuron",
    "chapters/02_layer",
    "chapters/03_vectorization",
    "chapters/04_activations",
    "chapters/05_losses",
    "chapters/06_gradient_descent",
    "chapters/07_backpropagation",
    "chapters/08_adam",
]
# The keys the chapter authors were told they may cite.
CITABLE = {
    "kingma2015adam",
    "glorot2010understanding",
    "he2015delving",
    "rumelhart1986learning",
    "goodfellow2016deep",
    "rosenblatt1958perceptron",
    "mcculloch1943logical",
    "nair2010rectified",
    "maas2013rectifier",
    "clevert2016elu",
    "dugas2001softplus",
    "polyak1964momentum",
    "tieleman2012rmsprop",
    "loshchilov2017sgdr",
    "cybenko1989approximation",
    "lecun2012efficient",
}
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def bib_entries():
    """{key: {field: value}} from references.bib (a small parser: one field per line, as the file is written)."""
    entries = {}
    key = None
    for line in (ROOT / "references.bib").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"@(\w+)\{([^,]+),", line):
            key = match.group(2).strip()
            entries[key] = {"type": match.group(1).lower()}
        elif key and (match := re.match(r"\s*(\w+)\s*=\s*\{(.*)\},?\s*$", line)):
            entries[key][match.group(1).lower()] = match.group(2)
    return entries


def test_toc_reads_intro_chapters_in_order_then_the_reference_pages():
    # chapters/frameworks is the framework comparison after chapter 8: a page, not a chapter of nnlib modules.
    assert toc_docnames() == [
        "intro",
        *CHAPTER_ORDER,
        "chapters/frameworks",
        "notation",
        "glossary",
        "references",
        "instructor",
        "api",
        "build",
    ]


def test_every_toc_page_exists():
    missing = [name for name in toc_docnames() if not (ROOT / f"{name}.md").is_file()]
    assert not missing


def test_every_chapter_file_is_in_the_toc():
    assert [path.relative_to(ROOT).with_suffix("").as_posix() for path in chapter_files()] == CHAPTER_ORDER


def test_every_citable_key_is_defined_with_author_title_and_year():
    entries = bib_entries()
    assert CITABLE <= set(entries), f"missing: {sorted(CITABLE - set(entries))}"
    for key, fields in entries.items():
        assert {"author", "title", "year"} <= set(fields), key
        assert fields["year"] == re.search(r"\d{4}", key).group(0), f"{key}: year {fields['year']}"
        venue = {"journal", "booktitle", "publisher", "howpublished"} & set(fields)
        assert venue, f"{key} says nowhere where it appeared"


def test_every_citation_in_the_book_is_in_the_bibliography():
    defined = set(bib_entries())
    for page in [ROOT / f"{name}.md" for name in toc_docnames()]:
        for match in CITE_ROLE.finditer(page.read_text(encoding="utf-8")):
            keys = {key.strip() for key in match.group(1).split(",")}
            assert keys <= defined, f"{page.name} cites {sorted(keys - defined)}, not in references.bib"


def test_the_glossary_has_about_35_terms_each_with_a_chinese_term():
    text = (ROOT / "glossary.md").read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    blocks = [block.splitlines() for block in re.split(r"\n\s*\n", body.strip())]
    entries = [block for block in blocks if not block[0].startswith(":")]  # skip the directive's options
    assert len(entries) >= 35
    for entry in entries:
        assert len(entry) == 3, f"expected English term, Chinese term, indented definition: {entry}"
        english, chinese, definition = entry
        assert re.fullmatch(r"[A-Za-z][\w -]*", english), english
        assert re.search(r"[\u4e00-\u9fff]", chinese), f"{english}: no Chinese term"
        assert definition.startswith("  ") and len(definition.strip()) > 20, f"{english}: no definition"


TERM_ROLE = re.compile(r"\{term\}`([^`<]*?)(?:\s*<([^`>]+)>)?`")


def glossary_terms():
    """The English and Chinese terms of glossary.md, lower-cased as Sphinx looks them up."""
    body = (ROOT / "glossary.md").read_text(encoding="utf-8").split("```{glossary}", 1)[1].split("```", 1)[0]
    lines = [line for line in body.splitlines() if line.strip() and not line.startswith((" ", ":"))]
    return {line.strip().lower() for line in lines}


def test_every_term_link_names_a_glossary_entry():
    terms = glossary_terms()
    for page in [ROOT / f"{name}.md" for name in toc_docnames()]:
        for match in TERM_ROLE.finditer(page.read_text(encoding="utf-8")):
            target = (match.group(2) or match.group(1)).strip().lower()
            assert target in terms, f"{page.name}: {{term}}`{match.group(0)}` is not in glossary.md"


def test_the_chapters_link_the_glossary():
    """glossary.md promises {term} links from the chapters: most chapters make some, together many entries."""
    linked, chapters_linking = set(), 0
    for path in chapter_files():
        targets = {(m.group(2) or m.group(1)).strip().lower() for m in TERM_ROLE.finditer(path.read_text("utf-8"))}
        linked |= targets
        chapters_linking += bool(targets)
    assert chapters_linking >= 6, f"only {chapters_linking} chapters link the glossary"
    assert len(linked) >= 20, f"the chapters link only {len(linked)} glossary entries: {sorted(linked)}"


def test_the_repository_url_is_written_once_in_the_config():
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert len(re.findall(r"https://github\.com/", text)) == 1
    config = yaml.safe_load(text)
    url = config["repository"]["url"]
    assert config["parse"]["myst_substitutions"]["repository"] == url
    assert url == "https://github.com/nn-math-course/nn-from-scratch"


def test_the_config_keeps_the_book_offline_and_strict():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["execute_notebooks"] == "force"
    assert config["only_build_toc_files"] is True
    assert config["launch_buttons"]["thebe"] is False
    assert not re.match(r"(https?:)?//", config["sphinx"]["config"]["mathjax_path"])
    for excluded in ["_build", ".venv", "exercises", "tests", "benchmarks", "README.md", "CONTRIBUTING.md"]:
        assert excluded in config["exclude_patterns"]
