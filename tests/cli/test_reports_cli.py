"""Reports, exports, alerts and users from the command line: same numbers as the marts, clear errors."""
from __future__ import annotations

import json
import zipfile

from openpyxl import load_workbook

from access import users
from access.policy import ALL
from foundation.settings import get_settings
from serving.snapshot import open_current
from tests.cli.test_cli import huntred
from tests.serving.test_scope import a_solutions_client_with_campaigns


def test_roi_report_as_excel_and_pdf_from_the_cli(on_built, tmp_path):
    xlsx = tmp_path / "roi.xlsx"
    result = huntred("report", "roi", "--bu", "huntu", "--from", "2025-11-01", "--to", "2026-10-31", "--format", "xlsx",
                     "--out", str(xlsx), warehouse=on_built)
    assert result.returncode == 0, result.stderr
    applications = open_current(get_settings()).cursor().sql(
        "SELECT sum(applications)::BIGINT FROM marts.fct_campaign_channel_daily WHERE business_unit = 'huntu'").fetchall()[0][0]
    summary = {r[0]: r for r in load_workbook(xlsx)["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Applications"][1] == applications
    pdf = tmp_path / "roi.pdf"
    assert huntred("report", "roi", "--bu", "huntu", "--from", "2025-11-01", "--to", "2026-10-31", "--out", str(pdf),
                   warehouse=on_built).returncode == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_report_errors_are_sentences(on_built):
    bad_bu = huntred("report", "roi", "--bu", "huntred_tech", "--from", "2026-01-01", "--to", "2026-02-01", warehouse=on_built)
    assert bad_bu.returncode == 2 and "'huntred_tech' is not a business unit." in bad_bu.stderr
    bad_date = huntred("report", "roi", "--from", "2026-02-30", "--to", "2026-03-01", warehouse=on_built)
    assert bad_date.returncode == 2 and "not a date" in bad_date.stderr
    swapped = huntred("report", "roi", "--from", "2026-03-01", "--to", "2026-02-01", warehouse=on_built)
    assert swapped.returncode == 2 and "Swap the dates" in swapped.stderr
    unknown = huntred("export", "client", "cli_99999", warehouse=on_built)
    assert unknown.returncode == 2 and "is not a huntRED Solutions client" in unknown.stderr
    for r in (bad_bu, bad_date, swapped, unknown):
        assert "Traceback" not in r.stderr


def test_a_report_of_a_period_without_data_is_refused_in_one_sentence(on_built, tmp_path):
    """Not two pages of zeros and exit 0: exit 2, the sentence naming the BU's period with data, and no file."""
    from serving import analytics as an
    from serving.analytics import Filters

    cover = an.campaign_coverage(open_current(get_settings()), ALL, Filters(business_units=("huntred",)))
    out = tmp_path / "roi.pdf"
    result = huntred("report", "roi", "--bu", "huntred", "--from", "2030-01-01", "--to", "2030-03-31", "--out", str(out),
                     warehouse=on_built)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"Error: huntRED has no campaign data from 2030-01-01 to 2030-03-31; its data runs from "
        f"{cover['first_day']:%Y-%m-%d} to {cover['last_day']:%Y-%m-%d}.", "Choose a period within it."]
    assert not out.exists() and not result.stdout.strip()


def test_client_export_from_the_cli(on_built, tmp_path):
    client = a_solutions_client_with_campaigns(open_current(get_settings()))
    out = tmp_path / "bundle.zip"
    result = huntred("export", "client", client, "--out", str(out), warehouse=on_built)
    assert result.returncode == 0, result.stderr
    assert {"README.md", "export.xlsx", "summary.pdf"} <= set(zipfile.ZipFile(out).namelist())


def test_alerts_lists_the_campaigns_crossing_thresholds(on_built):
    expected = open_current(get_settings()).cursor().sql("SELECT count(*) FROM marts.mart_campaign_alerts").fetchall()[0][0]
    result = huntred("alerts", warehouse=on_built)
    assert result.returncode == 0
    assert (f"{expected} alert(s)" in result.stdout) if expected else ("No campaign crosses" in result.stdout)


def test_users_init_stores_only_hashes(warehouse):
    result = huntred("users", "init", warehouse=warehouse, COLUMNS="200")
    assert result.returncode == 0, result.stderr
    stored = json.loads((warehouse / "users.json").read_text())
    printed = result.stdout
    for user in stored["users"]:
        assert user["password_hash"].startswith("scrypt$")
        assert "password" not in {k for k in user if k != "password_hash"}
    # each printed password signs its user in, and appears nowhere on disk
    rows = [line.split("│") for line in printed.splitlines() if line.startswith("│")]
    creds = {cells[1].strip(): cells[4].strip() for cells in rows if len(cells) > 4}
    assert {"analyst", "admin", "datascientist"} <= set(creds)
    for username, password in creds.items():
        assert users.authenticate(warehouse / "users.json", username, password) is not None
        assert password not in (warehouse / "users.json").read_text()


def test_passwords_are_checked_against_salted_hashes(tmp_path):
    path = tmp_path / "users.json"
    users.add_user(path, "luis", "client", "a long passphrase", client_id="cli_00004")
    users.add_user(path, "eva", "client", "a long passphrase", client_id="cli_00005")
    hashes = [u["password_hash"] for u in json.loads(path.read_text())["users"]]
    assert hashes[0] != hashes[1], "same password, different salts"
    assert users.authenticate(path, "luis", "a long passphrase").scope.client_id == "cli_00004"
    assert users.authenticate(path, "luis", "a long passphras") is None
    assert users.authenticate(path, "nobody", "a long passphrase") is None
