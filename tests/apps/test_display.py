"""What people read on every page is words, not codes: every page of the navigation, walked as an admin (who may
open them all), in AppTest's element tree. No table header, tile label, select option, chart title, axis, legend or
category is snake_case or a BU/channel code; no table cell shows None or nan; every chart with rows labels each."""
from __future__ import annotations

import json
import math
import re
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from access import policy
from access.users import User
from foundation.settings import get_settings
from models.enums import BusinessUnit, Channel, ConversationChannel, NotificationChannel
from serving.snapshot import open_current
from tests.api.test_access import dashboard_pages
from tests.apps.test_overview_page import DASHBOARD

ADMIN = User("adm", "admin")
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
# the stored codes of BUs and channels; "amigro" is also how people write that BU's name
CODES = ({b.value for b in BusinessUnit} | {c.value for e in (Channel, ConversationChannel, NotificationChannel)
                                           for c in e}) - {"amigro"}
NOT_SHOWN = {"None", "none", "nan", "NaN", "null", "NaT"}


def names_in_the_data() -> set[str]:
    """Campaign and client names are the warehouse's own text, shown as they are (the sample generator writes BU
    codes into campaign names, e.g. 'Ejecutivo de Ventas 2026 · huntred_executive #3')."""
    cur = open_current(get_settings()).cursor()
    return {n for (n,) in cur.sql("SELECT campaign_name FROM marts.dim_campaigns UNION "
                                  "SELECT client_name FROM marts.dim_clients").fetchall() if n}


def code_like(text: str, names: set[str]) -> str | None:
    """Why a text people read looks like a code (None if it does not)."""
    if text in names:
        return None
    if text.strip() in CODES:
        return "a BU or channel code"
    found = SNAKE.search(text)
    return f"snake_case '{found.group()}'" if found else None


def walk(node) -> Iterator:
    yield node
    for child in (getattr(node, "children", None) or {}).values():
        yield from walk(child)


def chart_data(element) -> dict[str, list]:
    """The columns of a chart's datasets (a chart's categories and legend entries are values of them)."""
    columns: dict[str, list] = {}
    for dataset in element.proto.datasets:
        table = pa.ipc.open_stream(dataset.data.data).read_all()
        for name in table.column_names:
            columns.setdefault(name, []).extend(table.column(name).to_pylist())
    return columns


def encodings(spec) -> Iterator[tuple[dict, dict]]:
    """(the view spec, its encoding) for every view of a chart (layers, concatenations included)."""
    if isinstance(spec, dict):
        if "encoding" in spec:
            yield spec, spec["encoding"]
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for sub in spec.get(key, []):
                yield from encodings(sub)


def chart_problems(element, names: set[str]) -> list[str]:
    spec, data = json.loads(element.proto.spec), chart_data(element)
    problems = []
    for _, encoding in encodings(spec):
        for channel, defs in encoding.items():
            for d in defs if isinstance(defs, list) else [defs]:
                if not isinstance(d, dict) or "field" not in d:
                    continue
                title = d.get("title", d["field"])  # Vega-Lite titles an axis, legend or tooltip with the field name
                for shown in [title] if isinstance(title, str) else (title or []):
                    if why := code_like(shown, names):
                        problems.append(f"{channel} title '{shown}': {why}")
                for part in ("axis", "legend"):
                    if isinstance(d.get(part), dict) and isinstance(d[part].get("title"), str):
                        if why := code_like(d[part]["title"], names):
                            problems.append(f"{channel} {part} title: {why}")
                for value in (d.get("scale") or {}).get("domain", []) if isinstance(d.get("scale"), dict) else []:
                    if isinstance(value, str) and (why := code_like(value, names)):
                        problems.append(f"{channel} domain '{value}': {why}")
                if d.get("type") in ("nominal", "ordinal") and channel != "text":
                    for value in set(data.get(d["field"], [])):
                        if isinstance(value, str) and (why := code_like(value, names)):
                            problems.append(f"{channel} category '{value}' of {d['field']}: {why}")
    return problems


def rows_problems(element) -> list[str]:
    """A chart with a category per row (bars, heat map, timeline) labels every row: a fixed height squeezes rows
    until Vega-Lite drops labels that would overlap, so the height must grow by a step per row and overlapping
    labels must be kept."""
    spec = json.loads(element.proto.spec)
    problems = []
    for view, encoding in encodings(spec):
        y = encoding.get("y")
        if isinstance(y, dict) and y.get("type") in ("nominal", "ordinal") and y.get("axis", {}) is not None:
            height = spec.get("height", view.get("height"))
            if not (isinstance(height, dict) and height.get("step", 0) >= 12):
                problems.append(f"rows of '{y['field']}' in a fixed height {height!r}: some labels get dropped")
            if (y.get("axis") or {}).get("labelOverlap") is not False:
                problems.append(f"rows of '{y['field']}' may drop overlapping labels (labelOverlap not false)")
    return problems


def cell_problems(frame: pd.DataFrame, names: set[str]) -> list[str]:
    problems = []
    for column in frame.columns:
        for row, value in enumerate(frame[column].tolist()):
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
                problems.append(f"{column}[{row}] is empty (shown as None)")
            elif isinstance(value, str) and (value.strip() in NOT_SHOWN or value.strip() in CODES):
                problems.append(f"{column}[{row}] shows '{value}'")
    return problems


def display_problems(at: AppTest, names: set[str]) -> list[str]:
    """Everything people read on the rendered page that looks like a code, or a cell without a value."""
    problems = []
    for node in walk(at._tree):
        kind = getattr(node, "type", None)
        if kind == "dataframe":
            config = json.loads(node.proto.columns or "{}")
            for column in node.value.columns:
                header = (config.get(str(column)) or {}).get("label") or str(column)
                if why := code_like(header, names):
                    problems.append(f"table header '{header}': {why}")
            problems += [f"table cell {p}" for p in cell_problems(node.value, names)]
        elif kind == "metric":
            if why := code_like(node.label, names):
                problems.append(f"tile '{node.label}': {why}")
        elif kind in ("selectbox", "multiselect", "radio"):
            for text in [node.label, *node.options]:
                if why := code_like(str(text), names):
                    problems.append(f"{kind} '{node.label}' option '{text}': {why}")
        elif kind == "vega_lite_chart":
            problems += [f"chart: {p}" for p in chart_problems(node, names) + rows_problems(node)]
    return problems


def test_every_page_is_in_the_access_matrix_and_an_admin_opens_all():
    pages = {page_id for page_id, *_ in dashboard_pages()}
    assert pages == set(policy.PAGE_ROLES) and all(ADMIN.may_open(p) for p in pages)


@pytest.mark.parametrize("page", [page_id for page_id, *_ in dashboard_pages()])
def test_a_page_shows_labels_not_codes_and_no_empty_cells(on_built, page):
    names = names_in_the_data()
    at = AppTest.from_file(DASHBOARD, default_timeout=180)
    at.session_state["user"] = ADMIN
    at.run()
    first_run = display_problems(at, names)  # with the sidebar filters, which AppTest drops after a page switch
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title], "the page did not render"
    problems = first_run + display_problems(at, names)
    assert not problems, f"{page}: " + "\n".join(sorted(set(problems)))


def test_the_checks_see_a_code_a_snake_case_header_and_an_empty_cell():
    """The checks themselves: what they must flag, and what they must let through."""
    names = {"Ejecutivo de Ventas 2026 · huntred_executive #3"}
    assert code_like("huntred_executive", names) and code_like("linkedin", names) and code_like("applied_to_hire_rate", names)
    assert not code_like("huntRED Executive", names) and not code_like("amigro", names)
    assert not code_like("Ejecutivo de Ventas 2026 · huntred_executive #3", names)
    assert cell_problems(pd.DataFrame({"a": [1.0, float("nan")], "b": ["x", None], "c": ["occ", "None"]}), names) == [
        "a[1] is empty (shown as None)", "b[1] is empty (shown as None)", "c[0] shows 'occ'", "c[1] shows 'None'"]
