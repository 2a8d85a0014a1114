"""Every read a person can make, enumerated from the code's own public surface, and its answer as plain data.

- analytics: every public function of ``serving.analytics``, ``serving.ml_scores`` and ``serving.reliability``
  that takes a scope;
- API: every route of the OpenAPI document (reads as they are; files opened: PDF text, Excel cells, zip members);
- dashboard: every page of ``access.users.PAGE_ROLES`` the role may open, rendered in AppTest.

A function, route or page added later is picked up here without anyone listing it; one whose
arguments cannot be made up from the recipes below fails loudly, asking for a recipe.
"""
from __future__ import annotations

import dataclasses
import inspect
import io
import json
import re
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

import duckdb
import polars as pl

from access import policy
from foundation.errors import UserError
from serving import analytics as an
from serving import ml_scores, reliability

#: group-by columns to ask each grouped analytics function for (a new grouped function needs an entry)
GROUP_BY = {"campaign_performance": ["campaign_id", "channel"], "funnel": ["campaign_id"], "revenue": ["customer_id"],
            "chatbot": ["channel"], "notifications": ["channel"]}
#: routes that write; everything else is a read and is compared, scanned and probed
WRITE_ROUTES = {("POST", "/api/aura/segment/"), ("POST", "/api/analyzers/run/"), ("POST", "/api/events/"),
                ("POST", "/api/payments/stripe/webhook")}
#: reads of model scores (empty until a model is champion)
SCORE_READS = {"analytics.at_risk_candidates", "analytics.churn_risk", "ml_scores.churn_scores", "ml_scores.match_scores"}
SCORE_ROUTES = {"/api/gamif-analytics/churn/", "/api/aura/score/"}
#: query-parameter variants of a route beyond its defaults (each is one read)
ROUTE_VARIANTS = {"/api/reports/roi": [{"format": "pdf"}, {"format": "xlsx"}]}


@dataclass(frozen=True)
class Sample:
    """Ids a reader in scope can ask about (found in the full snapshot)."""

    campaign_id: str
    foreign_campaign_id: str | None
    vacancy_id: str | None
    foreign_vacancy_id: str | None
    candidate_id: str | None
    client_id: str
    date_from: date
    date_to: date


def sample_for(snap, scope: policy.Scope) -> Sample:
    cur = snap.cursor()
    w = an.where(scope, None)
    mine = f"campaign_id IN (SELECT campaign_id FROM marts.mart_campaign_summary {w.sql})"
    (campaign, foreign_campaign), = cur.sql(f"SELECT min(campaign_id) FILTER ({mine}), min(campaign_id) FILTER (NOT {mine}) "
                                            "FROM marts.mart_campaign_summary", params=w.params or None).fetchall()
    vw = an.where(scope, None, client_column=None)
    mine = f"vacancy_id IN (SELECT vacancy_id FROM staging.stg_ats__vacancies {vw.sql})"
    (vacancy, foreign_vacancy), = cur.sql(f"SELECT min(vacancy_id) FILTER ({mine}), min(vacancy_id) FILTER (NOT {mine}) "
                                          "FROM staging.stg_ats__vacancies", params=vw.params or None).fetchall()
    (candidate,), = cur.sql("SELECT min(candidate_id) FROM ml.match_scores WHERE vacancy_id = $v",
                            params={"v": vacancy}).fetchall() if vacancy else [(None,)]
    (client,), = cur.sql("SELECT min(client_id) FROM marts.mart_campaign_summary WHERE client_id IS NOT NULL").fetchall()
    lo, hi = an.data_range(snap)
    return Sample(campaign, foreign_campaign, vacancy, foreign_vacancy, candidate, scope.client_id or client, lo, hi)


def foreign_ids(snap, scope: policy.Scope) -> set[str]:
    """Ids of campaigns, vacancies, clients and Stripe customers outside ``scope``: none may appear in its answers."""
    if scope.business_unit is None and scope.client_id is None:
        return set()
    out = (f"business_unit <> '{scope.business_unit}'" if scope.business_unit
           else f"client_id IS DISTINCT FROM '{scope.client_id}'")
    rows = snap.cursor().sql(f"""
        SELECT campaign_id FROM marts.mart_campaign_summary WHERE {out}
        UNION SELECT customer_id FROM staging.stg_stripe__customers WHERE {out}
        UNION SELECT client_id FROM staging.stg_stripe__customers WHERE {out} AND client_id IS NOT NULL
        UNION SELECT vacancy_id FROM staging.stg_ats__vacancies WHERE {out}""").fetchall()
    return {i for (i,) in rows}


def mentions(answer: Any, ids: set[str]) -> set[str]:
    text = json.dumps(answer, default=str)
    return {i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)}


# -- plain data ---------------------------------------------------------------------------------------------------------
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?( ?UTC|Z|[+-]\d{2}:?\d{2})?|\b\d{8}(T\d{6,}Z?)?\b")


def plain(value: Any) -> Any:
    """Answers as comparable data: frames as sorted rows, floats rounded, generation times blanked."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, pl.DataFrame):
        rows = [tuple(plain(v) for v in row) for row in value.rows()]
        return {"columns": value.columns, "rows": sorted(rows, key=repr)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if k not in ("snapshot", "published_at", "generated_at", "data_age_seconds")}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, Decimal):
        return round(float(value), 6)
    if isinstance(value, datetime):
        return "<time>"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _STAMP.sub("<time>", value)
    return value


def file_content(data: bytes, media_type: str) -> Any:
    """What a person reads in a file: PDF text, every Excel cell, every member of a zip."""
    if media_type.startswith("application/pdf") or data[:4] == b"%PDF":
        from pypdf import PdfReader

        return plain("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))
    if "spreadsheetml" in media_type or data[:2] == b"PK" and b"xl/" in data[:2000]:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        return {sheet.title: [plain(list(row)) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    if media_type.startswith("application/zip") or data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            out = {}
            for name in sorted(z.namelist()):
                member = z.read(name)
                if name.endswith(".parquet"):
                    out[name] = plain(pl.read_parquet(io.BytesIO(member)))
                elif name.endswith(".xlsx"):
                    out[name] = file_content(member, "spreadsheetml")
                elif name.endswith(".pdf"):
                    out[name] = file_content(member, "application/pdf")
                else:
                    out[name] = plain(member.decode("utf-8", "replace"))
            return out
    return plain(data.decode("utf-8", "replace"))


# -- analytics ----------------------------------------------------------------------------------------------------------
def scoped_functions() -> dict[str, Callable]:
    """Every public read of the analytics and ML read modules that takes a scope."""
    found = {}
    for module in (an, ml_scores, reliability):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            fn = inspect.unwrap(fn)
            if fn.__module__ == module.__name__ and not name.startswith("_") \
                    and list(inspect.signature(fn).parameters)[:2] == ["snap", "scope"]:
                found[f"{module.__name__.rsplit('.', 1)[1]}.{name}"] = getattr(module, name)
    return found


def call_scoped(name: str, fn: Callable, snap, scope: policy.Scope, sample: Sample, pii_key: str) -> Any:
    """Call a read with arguments made from its parameter names; its answer, or the error it refused with."""
    recipes = {"filters": an.Filters(), "campaign_id": sample.campaign_id, "vacancy_id": sample.vacancy_id,
               "reveal_pii": False, "pii_key": pii_key, "status": None, "business_units": ()}
    parameters = list(inspect.signature(inspect.unwrap(fn)).parameters.values())[2:]
    foreign = {"campaign_id": sample.foreign_campaign_id, "vacancy_id": sample.foreign_vacancy_id}
    asks_for_one = [p.name for p in parameters if p.name in foreign and foreign[p.name]]
    if asks_for_one:  # a read of one id: asked about an id of its own scope, and about another scope's
        answers = {"own": call_scoped(name, fn, snap, scope, replace(sample, foreign_campaign_id=None, foreign_vacancy_id=None), pii_key)}
        for key in asks_for_one:
            answers[f"foreign {key}"] = call_scoped(name, fn, snap, scope, replace(
                sample, foreign_campaign_id=None, foreign_vacancy_id=None, **{key: foreign[key]}), pii_key)
        return answers
    kwargs = {}
    for param in parameters:
        short = name.rsplit(".", 1)[1]
        if param.name == "by":
            assert short in GROUP_BY, f"{name} groups by columns: add it to GROUP_BY in {__name__}"
            kwargs["by"] = GROUP_BY[short]
        elif param.name in recipes:
            kwargs[param.name] = recipes[param.name]
        elif param.default is inspect.Parameter.empty:
            raise AssertionError(f"{name} needs '{param.name}': add a recipe for it in {__name__}.call_scoped")
    try:
        return plain(fn(snap, scope, **kwargs))
    except UserError as refused:
        return {"refused": type(refused).__name__}
    except duckdb.Error as failed:  # on a twin, a key made non-unique by a foreign row: that row was read
        return {"failed": str(failed).splitlines()[0]}


def analytics_answers(user, pii_key: str, only: set[str] | None = None) -> dict[str, Any]:
    """Every scoped read's answer for ``user`` on the current snapshot (``only``: a subset by name)."""
    from foundation.settings import get_settings
    from serving.snapshot import open_current

    snap = open_current(get_settings())
    sample = sample_for(snap, user.scope)
    return {name: call_scoped(name, fn, snap, user.scope, sample, pii_key)
            for name, fn in sorted(scoped_functions().items()) if only is None or name in only}


def differences(full: dict, twin: dict) -> list[str]:
    return [name for name in full if full[name] != twin[name]]


# -- API ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict
    body: Any = None

    @property
    def label(self) -> str:
        return f"{self.method} {self.path} {self.params or ''}{json.dumps(self.body) if self.body else ''}"


def api_reads(schema: dict, sample: Sample) -> list[Request]:
    """One request per read route of the OpenAPI document (more where ROUTE_VARIANTS or bodies say so)."""
    values = {"campaign_id": sample.campaign_id, "analyzer_id": 1, "from": sample.date_from.isoformat(),
              "to": sample.date_to.isoformat(), "client_id": sample.client_id}
    foreign = {"campaign_id": sample.foreign_campaign_id}
    bodies = {"/api/aura/score/": [{"vacancy_id": sample.vacancy_id, "top_k": 50}, {"vacancy_id": sample.foreign_vacancy_id},
                                   {"candidate_id": sample.candidate_id, "top_k": 50}]}
    requests = []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            method = method.upper()
            if (method, path) in WRITE_ROUTES:
                continue
            params, urls = {}, [path]
            for p in op.get("parameters", []):
                if p["in"] == "path":
                    assert p["name"] in values, f"{path} takes '{p['name']}': add a value for it in {__name__}.api_reads"
                    # an id of one's own scope, and one of another scope's (which must look like no id at all)
                    ids = [values[p["name"]], *([foreign[p["name"]]] if foreign.get(p["name"]) else [])]
                    urls = [u.replace("{" + p["name"] + "}", str(i)) for u in urls for i in ids]
                elif p["in"] == "query" and p.get("required"):
                    assert p["name"] in values, f"{path} needs '{p['name']}': add a value for it in {__name__}.api_reads"
                    params[p["name"]] = values[p["name"]]
            if method == "GET":
                for url in urls:
                    requests += [Request(method, url, {**params, **variant}) for variant in ROUTE_VARIANTS.get(path, [{}])]
            else:
                assert path in bodies, f"{method} {path} reads with a body: add one in {__name__}.api_reads, or list it in WRITE_ROUTES"
                requests += [Request(method, urls[0], params, body) for body in bodies[path] if all(body.values())]
    return requests


def api_answers(client, requests: list[Request]) -> dict[str, Any]:
    return {r.label: api_answer(client, r) for r in requests}


def api_answer(client, request: Request) -> Any:
    try:
        response = client.request(request.method, request.path, params=request.params, json=request.body)
    except duckdb.Error as failed:  # on a twin, a key made non-unique by a foreign row: that row was read
        return {"status": 500, "failed": str(failed).splitlines()[0]}
    kind = response.headers.get("content-type", "")
    if response.status_code >= 400:
        return {"status": response.status_code}
    if kind.startswith("application/json"):
        return {"status": response.status_code, "body": plain(response.json())}
    return {"status": response.status_code, "file": file_content(response.content, kind)}


# -- dashboard ----------------------------------------------------------------------------------------------------------
def page_answer(at) -> Any:
    """What a page shows: every table, metric, text and chart's data, as plain data."""
    shown: dict[str, list] = {"tables": [], "metrics": [], "text": []}
    for frame in list(at.dataframe) + list(at.table):
        value = frame.value
        shown["tables"].append(plain(pl.from_pandas(value.reset_index(drop=True)) if hasattr(value, "to_dict") else value))
    shown["metrics"] = [plain((m.label, m.value, m.delta)) for m in at.metric]
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "subheader", "header", "title"):
        shown["text"] += [plain(e.value) for e in getattr(at, kind)]
    return shown


# -- people -------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    name: str | None
    email: str | None
    phone: str | None


def known_people(snap) -> list[Person]:
    """The sample's people as an admin sees them: scraped candidates and the e-mail of every Stripe customer."""
    rows = snap.cursor().sql("""
        SELECT nullif(concat_ws(' ', first_name, last_name), ''), email, phone FROM staging.stg_scraped__candidates
        UNION ALL SELECT NULL, email, NULL FROM staging.stg_stripe__customers""").fetchall()
    return [Person(*row) for row in rows]


def people_in_clear(answer: Any, people: list[Person]) -> list[str]:
    """The clear names, e-mails and phones of ``people`` found anywhere in an answer (phones also without spaces)."""
    text = json.dumps(answer, default=str, ensure_ascii=False).lower()
    compact = re.sub(r"(?<=\d)[\s().-]+(?=\d)", "", text)
    found = []
    for p in people:
        if p.email and p.email.lower() in text:
            found.append(p.email)
        if p.name and " " in p.name and re.search(rf"(?<!\w){re.escape(p.name.lower())}(?!\w)", text):
            found.append(p.name)
        if p.phone:
            digits = re.sub(r"\D", "", p.phone)
            if digits[-10:] in compact:
                found.append(p.phone)
    return found
