"""The demo alliance (scripts/demo.py) loaded into a fresh SQLite store and served by the API
app, for the tests of the public pages (issue 11): one store per test module (or per test that
writes), each a copy of the store the process loaded once."""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from runtime.bootstrap import Runtime
from scripts.demo import demo_people, load_demo, publish_demo_sheets
from server.main import create_app
from tests.conftest import TODAY
from web.settings import Settings

STORE = "demo.sqlite3"
_loaded: list[Path] = []


def _demo_template() -> Path:
    """A folder with the demo's SQLite store and its keys, loaded once per process (the demo
    with its people, as ``lianzhang demo`` leaves it, and its published sheets)."""
    if not _loaded:
        folder = Path(tempfile.mkdtemp(prefix="lianzhang-demo-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        runtime = Runtime(f"sqlite:///{folder / STORE}", schema=None, today=lambda: TODAY)
        try:
            load_demo(runtime.app, say=lambda _: None)
            demo_people(runtime, folder / "demo-passwords.txt")  # as `lianzhang demo`: 经办 姓名
            publish_demo_sheets(runtime)
            runtime.views.catch_up()
        finally:
            runtime.close()
        _loaded.append(folder)
    return _loaded[0]


@contextmanager
def demo_store(folder: Path) -> Iterator[tuple[Runtime, dict[str, str]]]:
    """A copy of the process's demo store in ``folder`` (its own: a test that writes changes
    only its copy), and the demo people's passwords by login (as ``lianzhang demo`` prints
    them)."""
    shutil.copytree(_demo_template(), folder, dirs_exist_ok=True)
    lines = (folder / "demo-passwords.txt").read_text(encoding="utf-8").splitlines()
    passwords = dict(line.split() for line in lines)
    runtime = Runtime(f"sqlite:///{folder / STORE}", schema=None, today=lambda: TODAY)
    try:
        runtime.views.catch_up()
        yield runtime, passwords
    finally:
        runtime.close()


@contextmanager
def demo_client(folder: Path) -> Iterator[tuple[TestClient, Runtime]]:
    """The demo served from a copy of the process's demo store in ``folder``."""
    with demo_store(folder) as (runtime, _):
        app = create_app(Settings(database_url=runtime.database_url), runtime=runtime)
        with TestClient(app) as client:
            yield client, runtime


class Links(HTMLParser):
    """Every href and src of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


def links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.found


def text_of(html: str) -> str:
    """The visible text of a page, roughly: tags and styles out, spaces squeezed."""
    html = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def public_pages(client: TestClient) -> dict[str, Any]:
    """Crawl /public: every URL reached from it (same site) → its response."""
    seen: dict[str, Any] = {}
    todo = ["/public"]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response
        if response.status_code == 200 and "text/html" in response.headers["content-type"]:
            for link in links(response.text):
                link = re.sub(r"^https?://[^/]+", "", link)
                if link.startswith("/") and link not in seen:
                    todo.append(link)
    return seen
