"""A promotion by hand overrules the gate: it needs a reason, records who and why in MLflow, and from then on every
table (`huntred ml compare`, the Models page) says "promoted by hand by <who>: <why>" instead of the gate's verdict."""
from __future__ import annotations

import getpass
import time

import streamlit as st

from access.users import User
from foundation.settings import get_settings
from foundation.warehouse import connect_writer
from ml import tracking
from ml.families import train_family
from orchestration import launch
from tests.apps.test_overview_page import signed_in
from tests.cli.test_cli import huntred
from tests.cli.test_mistakes import assert_one_sentence
from tests.ml.test_registry import WEAK

NAME = "huntred-churn"
SCIENTIST = User("dana.scientist", "data_scientist")


def _two_versions() -> tuple[str, str]:
    """A champion the gate promoted and a weaker challenger it kept out (the connection is closed afterwards: the
    CLI's promotion re-scores in another process, which must take the warehouse)."""
    con = connect_writer(get_settings())
    try:
        champion, kept_out = train_family("churn", con, None), train_family("churn", con, None, WEAK)
    finally:
        con.close()
    assert champion.promoted and not kept_out.promoted, (champion.reason, kept_out.reason)
    return champion.version, kept_out.version


def _aliases() -> dict[str, str]:
    return {alias: v["version"] for v in tracking.versions(NAME) for alias in v["aliases"]}


def _page_statuses(at) -> dict[str, str]:
    """The Models page's versions table: version -> its promotion column."""
    table = next(d.value for d in at.dataframe if "promotion" in d.value.columns)
    return dict(zip(table["version"].astype(str), table["promotion"]))


def _shown(text: str) -> str:
    """A table's text with its wrapping undone (a sentence may be folded over several lines)."""
    return " ".join(text.split())


def test_the_cli_refuses_a_promotion_without_a_reason_and_records_who_and_why(ml_warehouse):
    champion, kept_out = _two_versions()
    before = _aliases()

    missing = huntred("ml", "promote", "churn", kept_out, warehouse=ml_warehouse)
    assert_one_sentence(missing, "Missing option '--reason'")
    blank = huntred("ml", "promote", "churn", kept_out, "--reason", "   ", warehouse=ml_warehouse)
    assert_one_sentence(blank, "A manual promotion needs a reason.")
    assert _aliases() == before

    why = "the gate's sample is one month; try it for a week"
    done = huntred("ml", "promote", "churn", kept_out, "--reason", why, warehouse=ml_warehouse)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _aliases()["champion"] == kept_out
    tags = next(v for v in tracking.versions(NAME) if v["version"] == kept_out)["tags"]
    who = getpass.getuser()  # the CLI's subprocess runs as this OS user
    assert {k: tags[k] for k in ("promotion", "promoted_by", "promotion_reason")} == \
        {"promotion": "manual", "promoted_by": who, "promotion_reason": why}
    assert tags["promoted_at"].startswith(time.strftime("%Y-", time.gmtime()))
    assert tags["gate.champion"].startswith("failed: loses to champion")  # the gate's verdict stays on record

    compared = huntred("ml", "compare", "churn", warehouse=ml_warehouse, COLUMNS="1000")
    assert compared.returncode == 0, compared.stderr[-2000:]
    shown = _shown(compared.stdout)
    assert f"promoted by hand by {who}: {why}" in shown, shown
    assert f"was champion (promoted by the gate) until v{kept_out} was promoted by hand by {who}" in shown, shown
    assert "not promoted" not in shown and "loses to" not in shown, shown  # the gate's old verdict is not shown

    # the Models page says the same
    st.cache_data.clear()
    at = signed_in(SCIENTIST, "models")
    assert not at.exception, at.exception
    by_version = _page_statuses(at)
    assert by_version[kept_out] == f"promoted by hand by {who}: {why}"
    assert by_version[champion] == f"was champion (promoted by the gate) until v{kept_out} was promoted by hand by {who}"


def test_the_models_page_promotes_only_with_a_reason_and_records_the_signed_in_user(ml_warehouse):
    champion, kept_out = _two_versions()
    st.cache_data.clear()
    at = signed_in(SCIENTIST, "models")
    assert not at.exception, at.exception
    assert _page_statuses(at)[kept_out].startswith("not promoted: loses to")

    at.selectbox(key="promote_version").select(kept_out).run()
    assert at.button(key="promote").disabled, "the button must not work before the reason is written"
    at.text_input(key="promote_reason").input("   ").run()
    assert at.button(key="promote").disabled, "blanks are no reason"
    at.text_input(key="promote_reason").input("recruiters asked to compare it for a week").run()
    assert not at.button(key="promote").disabled
    at.button(key="promote").click().run()
    run = at.session_state["model_jobs"][-1]["run"]  # in the background, through orchestration.launch
    deadline = time.monotonic() + 300
    while launch.still_running(run) and time.monotonic() < deadline:
        time.sleep(1)
    log = (get_settings().warehouse_dir / run.log_file).read_text()
    assert "succeeded" in log.splitlines()[-1], log[-2000:]

    assert _aliases()["champion"] == kept_out
    shown = {v["version"]: v["promotion"] for v in tracking.versions(NAME)}
    assert shown[kept_out] == "promoted by hand by dana.scientist: recruiters asked to compare it for a week"
    assert shown[champion] == f"was champion (promoted by the gate) until v{kept_out} was promoted by hand by dana.scientist"
    st.cache_data.clear()
    assert _page_statuses(signed_in(SCIENTIST, "models")) == shown
