"""One Jinja environment for every page: the workbench's and the public pages' templates are
found through it, both base layouts extend one skeleton, and its filters format amounts and
大写 as ``ledger.money`` and ``ledger.capitals`` do."""

from __future__ import annotations

import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from markupsafe import Markup

from rendering import environment as E
from workbench import render as workbench_render

SKELETON_START = (
    '<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>'
)


def test_the_workbench_renders_with_the_one_environment() -> None:
    assert workbench_render.ENV is E.environment()
    names = set(E.environment().list_templates())
    assert {"public_base.html", "sheet.html", "voucher.html"} <= names  # public pages
    assert {"base.html", "voucher_form.html", "statement_print.html"} <= names  # workbench


def test_both_base_layouts_and_the_voucher_extend_the_skeleton() -> None:
    env = E.environment()
    user = SimpleNamespace(display="张三", name="zs", role="clerk")
    workbench = env.from_string(
        '{% extends "base.html" %}{% block title %}凭证{% endblock %}'
        "{% block main %}M{% endblock %}"
    ).render(user=user, csrf="C", path="/vouchers", may=lambda a: False, form_fields=Markup)
    public = env.from_string(
        '{% extends "public_base.html" %}{% block body %}B{% endblock %}'
    ).render(title="三公开")
    assert workbench.startswith(SKELETON_START + "凭证 · 联账工作台</title>\n")
    assert '<body hx-headers=\'{"X-CSRF-Token": "C"}\'>\n<header' in workbench
    assert '<a href="/vouchers" aria-current="page">凭证</a>' in workbench
    assert workbench.endswith("<main>\nM</main>\n</body>\n</html>")
    assert public.startswith(SKELETON_START + "三公开</title>\n<style>\n")
    assert public.endswith("<main>\nB</main>\n</body>\n</html>")
    assert (
        env.get_template("voucher.html")
        .render(
            v={"lines": [], "number": "1", "date": "2025-01-02"}, blanks=0, amount=str, title="T"
        )
        .startswith(SKELETON_START + "T</title>\n<style>\n")
    )


def test_filters_write_amounts_capitals_and_times() -> None:
    env = E.environment()
    shown = env.from_string(
        "{{ a|yuan }}|{{ yuan(a) }}|{{ n|yuan }}|{{ a|capitals }}|{{ b|capitals }}|{{ t|minute }}"
    ).render(a="-1200", n=None, b=1200, t=datetime.datetime(2025, 3, 1, 14, 5, 9))
    assert shown == "-¥1,200.00|-¥1,200.00||负壹仟贰佰元整|壹仟贰佰元整|2025-03-01 14:05"
    assert env.from_string("{{ t|minute }}").render(t="已公布") == "已公布"


def test_a_template_name_in_two_folders_is_refused(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
        (folder / "base.html").write_text("x")
    (second / "other.html").write_text("y")
    with pytest.raises(RuntimeError, match=r"'base\.html' is in both"):
        E.loaders((first, second))
    assert len(E.loaders((first,))) == 1
    assert E.loaders() and E.FOLDERS[0] == Path(E.__file__).parent / "templates"
