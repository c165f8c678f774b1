"""A tiny Sphinx extension: the book's download menu offers files a reader can use, never raw source text.

sphinx-book-theme's download menu holds the chapter's notebook (``.ipynb``, the executed notebook that MyST-NB
wrote, copied into ``_sources/`` because a launch button is configured), "print to PDF", and the page's source
file. For this book that source is MyST Markdown, which a browser shows as raw text and which Jupyter opens as a
notebook only with jupytext: the notebook is the file to download, so the source-file entry is removed.
"""

SOURCE_BUTTON = "download-source-button"  # the label sphinx-book-theme gives that entry


def drop_source_download(app, pagename, templatename, context, doctree):
    """Remove the source-file entry from the download menu (and a menu left empty, on a page without one)."""
    buttons = context.get("header_buttons")
    if not buttons:
        return
    for group in buttons:
        if group.get("type") == "group":
            group["buttons"] = [button for button in group["buttons"] if button.get("label") != SOURCE_BUTTON]
    buttons[:] = [group for group in buttons if group.get("type") != "group" or group["buttons"]]


def setup(app):
    # After sphinx-book-theme builds the header buttons (priority 501).
    app.connect("html-page-context", drop_source_download, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
