"""Issue 20 item 11: what a user's clone and install need is in the repository.

- No link leads outside it: no ``shared/`` or ``../shared`` anywhere, and every relative link of
  README.md and docs/ names a file that is there.
- ``pyproject.toml`` packages every folder of code (a wheel once lacked ``api.routes`` and every
  ``domain`` sub-package) and the templates and static files as the data packages they are, so
  building or installing warns of nothing ("Package would be ignored").
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

from setuptools import find_namespace_packages

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def tracked() -> list[Path]:
    found = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [ROOT / name for name in found.split("\0") if name]


def test_nothing_links_outside_the_repository() -> None:
    outside = re.compile(r"(?<![\w.-])(\.\./)*shared/(RULES|SCENARIOS|DESIGN|STYLE)?")
    named = re.compile(r"\b(RULES|SCENARIOS|DESIGN|ACCOUNTING|STYLE)\.md\b")
    found = []
    for path in tracked():
        if path.suffix in (".gz", ".pem") or path.name in ("data-key",) or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if path == Path(__file__).resolve():
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if outside.search(line) or named.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert found == []


def test_every_relative_link_of_the_documents_is_in_the_repository() -> None:
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert len(documents) >= 3
    missing = []
    for document in documents:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", document.read_text("utf-8")):
            if re.match(r"^[a-z]+:", target):
                continue  # a URL (the demo's own http://127.0.0.1:8000/ …)
            if not (document.parent / target).exists():
                missing.append(f"{document.relative_to(ROOT)}: {target}")
    assert missing == []


def packaged() -> set[str]:
    found = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    return set(
        find_namespace_packages(
            where=str(ROOT / found.get("where", ["."])[0]),
            include=found["include"],
            exclude=found.get("exclude", ()),
        )
    )


def test_every_folder_of_code_templates_and_static_files_is_a_package() -> None:
    packages = packaged()
    code = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in tracked()
        if path.suffix == ".py" and path.parent != ROOT
    }
    code = {name for name in code if not name.startswith(("tests", "examples"))}
    assert {"api.routes", "api.schemas", "domain.books", "domain.pooling"} <= code
    assert code <= packages, sorted(code - packages)
    data = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in tracked()
        if path.suffix in (".html", ".css", ".js", ".csv", ".json", ".LICENSE")
        and path.parts[len(ROOT.parts)] not in ("tests", "examples")
    }
    assert {"rendering.templates", "workbench.templates", "workbench.static"} <= data
    assert data <= packages, sorted(data - packages)
    assert not {p for p in packages if p.startswith("tests") or "__pycache__" in p}


def test_every_data_file_is_declared_package_data() -> None:
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]
    undeclared = []
    for path in tracked():
        relative = path.relative_to(ROOT)
        outside = relative.parts[0] in ("tests", "examples", "docs") or relative.parts[0][0] == "."
        if outside or len(relative.parts) < 2:
            continue
        if path.suffix in (".py", ".sh"):
            continue
        package = ".".join(relative.parts[:-1])
        if not any(path.match(pattern) for pattern in patterns.get(package, [])):
            undeclared.append(str(relative))
    assert undeclared == []
