"""The dashboard in a real Chromium, served by `streamlit run` on 127.0.0.1.

One walk through it as an analyst would: sign in, choose a business unit, see the
choice persist on the next page and across a reload (F5), download the ROI report as PDF and
Excel, and check the numbers in both files against the marts. Then the session: a deep link
opened in a new tab restores its view, a tampered or expired session cookie goes back to
sign-in, signing out ends the session for a copied cookie too, and a BU manager's link naming
another BU stays in their BU. Screenshots of each page go to tests/artifacts/screenshots
(docs/screenshots with `make screenshots`).
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect, sync_playwright
from pypdf import PdfReader

from access import policy
from access.users import add_user
from foundation.settings import get_settings
from models.enums import BusinessUnit
from models.labels import BUSINESS_UNIT_LABELS
from serving import analytics as an
from serving.snapshot import open_current
from tests.access.test_sessions import forge
from tests.conftest import REPO
from tests.http import wait_for_http

CHROMIUM = "/usr/bin/chromium"
# `make screenshots` points this at docs/screenshots (the README's); by default they stay out of git
SCREENSHOTS = Path(os.environ.get("HUNTRED_SCREENSHOTS_DIR") or REPO / "tests" / "artifacts" / "screenshots")
PASSWORD = "browser-test-password"
TIMEOUT = 60_000
# every chart on the page (as it is at each poll: a rerun replaces elements) has drawn its canvas or svg
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .every(chart => chart.querySelector('canvas, svg'))"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served_dashboard(**env: str) -> Iterator[str]:
    """`streamlit run` of the dashboard on a free local port, over the warehouse the settings point at."""
    port = free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("streamlit")), "run", str(REPO / "apps" / "dashboard.py"),
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=REPO, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/_stcore/health")  # the port opens a moment after the process starts
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def dashboard(on_built):
    add_user(get_settings().users_path, "ana.browser", "analyst", PASSWORD, replace=True)
    with served_dashboard() as url:
        yield url


def launch(pw):
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make browser` (apt-get install chromium).")
    return pw.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"])


def sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(url, wait_until="domcontentloaded", timeout=TIMEOUT)
    page.locator('input[type="password"]').wait_for(timeout=TIMEOUT)
    page.locator('[data-testid="stTextInput"] input').first.fill(username)
    page.locator('input[type="password"]').fill(password)
    page.get_by_role("button", name="Sign in").click()


def bu_picker(page):
    return page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Business unit")


def open_page(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).click()
    page.wait_for_selector(f'h1:has-text("{title}")', timeout=TIMEOUT)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT)
    page.wait_for_function(CHARTS_DRAWN, timeout=TIMEOUT)


def shoot(page, name: str) -> None:
    # wait for the run to finish, then for each chart to have drawn its canvas or svg
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT)
    page.wait_for_function(CHARTS_DRAWN, timeout=TIMEOUT)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_an_analyst_filters_and_downloads_the_roi_report_in_chromium(dashboard, tmp_path):
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make browser` (apt-get install chromium).")
    snap = open_current(get_settings())
    first, last = an.data_range(snap)
    window = an.Filters(date_from=max(first, last - timedelta(days=89)), date_to=last)  # the sidebar's default period
    # a BU with campaigns in that period (a period without any gets a refusal instead of the downloads)
    bu = next(b.value for b in BusinessUnit if an.campaign_coverage(
        snap, policy.ALL, replace(window, business_units=(b.value,)))["rows_in_period"])
    bu_name = BUSINESS_UNIT_LABELS[BusinessUnit(bu).value]
    period = replace(window, business_units=(bu,))
    truth = an.campaign_kpis(snap, policy.ALL, period)["current"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
        page.goto(dashboard, wait_until="domcontentloaded", timeout=TIMEOUT)
        page.locator('input[type="password"]').wait_for(timeout=TIMEOUT)
        page.locator('[data-testid="stTextInput"] input').first.fill("ana.browser")
        page.locator('input[type="password"]').fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("Wrong username or password")).to_be_visible(timeout=TIMEOUT)
        page.locator('input[type="password"]').fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector('[data-testid="stMetric"]', timeout=TIMEOUT)
        shoot(page, "campaigns_all")

        # choose a business unit in the sidebar: the tiles change to its numbers
        picker = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Business unit")
        picker.locator("input").click()
        page.get_by_role("option", name=bu_name, exact=True).click()
        page.keyboard.press("Escape")
        applications = page.locator('[data-testid="stMetric"]').filter(has_text="Applications").first
        expect(applications).to_contain_text(f"{truth['applications']:,}", timeout=TIMEOUT)
        expect(page).to_have_url(re.compile(rf"[?&]bu={bu}(&|$)"), timeout=TIMEOUT)  # the view is in the URL
        shoot(page, "campaigns")

        # a reload (F5) is a new Streamlit session: still signed in (the cookie), still that BU (the URL)
        page.reload(wait_until="domcontentloaded")
        expect(applications).to_contain_text(f"{truth['applications']:,}", timeout=TIMEOUT)
        expect(bu_picker(page)).to_contain_text(bu_name)
        assert page.locator('input[type="password"]').count() == 0

        # the choice persists on the next page
        open_page(page, "Pipeline")
        expect(page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Business unit"))\
            .to_contain_text(bu_name)
        shoot(page, "pipeline")
        for title, name in (("Attribution", "attribution"), ("Engagement", "engagement"), ("Revenue", "revenue")):
            open_page(page, title)
            shoot(page, name)

        open_page(page, "ROI reports")
        expect(page.get_by_text(f"ROI report · {bu_name}")).to_be_visible(timeout=TIMEOUT)
        pickers = page.locator('[data-testid="stSelectbox"], [data-testid="stMultiSelect"]').filter(has_text="Business unit")
        assert pickers.count() == 1, "the ROI page has one business unit picker: the sidebar's"
        with page.expect_download(timeout=TIMEOUT) as pdf_download:
            page.get_by_role("button", name="Download PDF").click()
        with page.expect_download(timeout=TIMEOUT) as xlsx_download:
            page.get_by_role("button", name="Download Excel").click()
        shoot(page, "roi_reports")
        pdf_path, xlsx_path = tmp_path / "roi.pdf", tmp_path / "roi.xlsx"
        pdf_download.value.save_as(pdf_path)
        xlsx_download.value.save_as(xlsx_path)

        for title, name in (("Consulting exports", "consulting_exports"), ("Data overview", "overview")):
            open_page(page, title)
            shoot(page, name)
        browser.close()

    text = " ".join(p.extract_text() for p in PdfReader(pdf_path).pages)
    assert f"{period.date_from:%Y-%m-%d} to {period.date_to:%Y-%m-%d}" in text
    assert f"${truth['spend_mxn']:,.0f}" in text
    assert f"{truth['applications']:,}" in text
    summary = {row[0]: row for row in load_workbook(xlsx_path)["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Spend"][1] == pytest.approx(truth["spend_mxn"])
    assert summary["Applications"][1] == truth["applications"]
    assert summary["Hires"][1] == truth["hires"]
    assert summary["ROI"][1] == pytest.approx(truth["roi"])
    # the downloads are in the audit log under the signed-in user
    from access import audit

    taken = [r for r in audit.read(get_settings().audit_dir) if r["actor"] == "user:ana.browser" and r["action"] == "export"]
    assert {Path(r["params"]["file"]).suffix for r in taken} >= {".pdf", ".xlsx"}
    assert all(r["resource"] == "dashboard/roi_reports" for r in taken)


EXPIRY = 3  # seconds a generated download stays on the media endpoint in this test (HUNTRED_DOWNLOAD_EXPIRY_SECONDS)


def served_without_session(url: str) -> bool:
    """Whether a plain HTTP client, outside the browser and its session, gets a file attachment at url."""
    answer = httpx.get(url, timeout=10)
    return answer.status_code == 200 and "attachment" in answer.headers.get("content-disposition", "")


@pytest.mark.browser
def test_a_client_export_zip_is_not_served_from_its_media_url_without_a_session(on_built, tmp_path):
    """Regression: Streamlit serves st.download_button data at /media/<id> to anyone; the zip sat there from
    the moment the page rendered. Now it is made on click, and removed from the media endpoint soon after."""
    import zipfile

    from access import audit
    from tests.serving.test_scope import a_solutions_client_with_campaigns

    client_id = a_solutions_client_with_campaigns(open_current(get_settings()))
    add_user(get_settings().users_path, "client.browser", "client", PASSWORD, client_id=client_id, replace=True)
    with served_dashboard(HUNTRED_DOWNLOAD_EXPIRY_SECONDS=str(EXPIRY)) as url, sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
        media: list[str] = []
        page.on("request", lambda request: media.append(request.url) if "/media/" in request.url else None)
        sign_in(page, url, "client.browser", PASSWORD)
        page.wait_for_selector('h1:has-text("Consulting exports")', timeout=TIMEOUT)
        page.get_by_role("button", name="Download export bundle (zip)").wait_for(timeout=TIMEOUT)
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT)
        served = [u for u in media if served_without_session(u)]
        assert not served, f"the rendered page left its export on the media endpoint: {served}"

        with page.expect_download(timeout=TIMEOUT) as download:
            page.get_by_role("button", name="Download export bundle (zip)").click()
        saved = tmp_path / "export.zip"
        download.value.save_as(saved)
        assert "README.md" in zipfile.ZipFile(saved).namelist(), "the signed-in client still gets the bundle"
        link = download.value.url
        assert "/media/" in link
        deadline = time.monotonic() + EXPIRY + 20
        while served_without_session(link) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not served_without_session(link), f"{link} is still served without a session {EXPIRY} s after the click"
        browser.close()
    taken = [r for r in audit.read(get_settings().audit_dir) if r["actor"] == "user:client.browser" and r["action"] == "export"]
    assert [r["resource"] for r in taken] == ["dashboard/consulting_exports"]


# -- the session and the URL ---------------------------------------------------------------------------------------
def signed_in_page(context, url: str, username: str, path: str = "") -> object:
    page = context.new_page()
    sign_in(page, url + path, username, PASSWORD)
    page.wait_for_selector('[data-testid="stSidebar"] button:has-text("Sign out")', timeout=TIMEOUT)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT)
    return page


def on_sign_in(page) -> None:
    expect(page.locator('input[type="password"]')).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text("huntRED analytics")


def session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == "huntred_session"), None)


def cookie_gone(context, seconds: float = 10) -> bool:
    """Whether the session cookie is cleared (by the sign-in page's script, a moment after the form shows)."""
    deadline = time.monotonic() + seconds
    while session_cookie(context) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    return session_cookie(context) is None


def tiles(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).first


@pytest.mark.browser
def test_a_deep_link_opens_its_view_and_the_session_ends_where_it_should(on_built):
    """A link naming a page and filters, opened signed out, signs in and shows that view; opened in a new tab of the
    signed-in browser, it shows it at once. Signing out, and a copy of the cookie from before signing out, end at the
    sign-in form."""
    snap = open_current(get_settings())
    first, last = an.data_range(snap)
    start, end = max(first, last - timedelta(days=40)), last - timedelta(days=5)
    view = an.Filters(business_units=("huntu",), channels=("linkedin",), date_from=start, date_to=end)
    applications = an.funnel(snap, policy.ALL, view, [])["applied"][0]
    link = f"/pipeline?bu=huntu&channel=linkedin&from={start}&to={end}"
    add_user(get_settings().users_path, "ana.links", "analyst", PASSWORD, replace=True)
    with served_dashboard() as url, sync_playwright() as pw:
        browser = launch(pw)
        context = browser.new_context(viewport={"width": 1400, "height": 1600})
        page = signed_in_page(context, url, "ana.links", link)  # signed out, the link goes through sign-in
        expect(page.locator("h1")).to_have_text("Pipeline", timeout=TIMEOUT)
        expect(tiles(page, "Applications")).to_contain_text(f"{applications:,}", timeout=TIMEOUT)
        cookie = session_cookie(context)
        assert cookie and cookie["sameSite"] == "Strict" and cookie["expires"] > time.time()

        other = context.new_page()  # a new tab with the session: the view of its own link, no sign-in
        other.goto(url + link, wait_until="domcontentloaded")
        expect(other.locator("h1")).to_have_text("Pipeline", timeout=TIMEOUT)
        expect(tiles(other, "Applications")).to_contain_text(f"{applications:,}", timeout=TIMEOUT)
        expect(bu_picker(other)).to_contain_text("huntU")
        expect(other.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Channel"))\
            .to_contain_text("LinkedIn")
        period = other.locator('[data-testid="stSidebar"] [data-testid="stDateInput"] input')
        expect(period.first).to_have_value(f"{start}")
        expect(period.nth(1)).to_have_value(f"{end}")
        other.close()

        # signing out ends the session: the tab shows the sign-in form, the cookie is gone, and a copy taken before
        # signing out no longer opens a session
        page.get_by_role("button", name="Sign out").click()
        on_sign_in(page)
        expect(page).to_have_url(re.compile(r"bu=huntu"))  # the view stays in the URL for the next sign-in
        assert cookie_gone(context)
        copied = browser.new_context()
        copied.add_cookies([cookie])
        copy_page = copied.new_page()
        copy_page.goto(url + link, wait_until="domcontentloaded")
        on_sign_in(copy_page)
        browser.close()


@pytest.mark.browser
def test_a_session_expires_in_an_open_tab_and_on_reload_and_a_tampered_cookie_does_not_extend_it(on_built):
    add_user(get_settings().users_path, "ana.expiry", "analyst", PASSWORD, replace=True)
    lifetime = 8
    with served_dashboard(HUNTRED_SESSION_SECONDS=str(lifetime)) as url, sync_playwright() as pw:
        browser = launch(pw)
        context = browser.new_context(viewport={"width": 1400, "height": 1600})
        page = signed_in_page(context, url, "ana.expiry")
        signed_at, cookie = time.monotonic(), session_cookie(context)
        page.reload(wait_until="domcontentloaded")  # within its life a reload keeps the session
        page.wait_for_selector('[data-testid="stMetric"]', timeout=TIMEOUT)
        time.sleep(max(0.0, lifetime + 1 - (time.monotonic() - signed_at)))
        page.locator('[data-testid="stSidebarNav"] a', has_text="Pipeline").click()  # the next run checks it again
        on_sign_in(page)
        page.reload(wait_until="domcontentloaded")
        on_sign_in(page)
        assert cookie_gone(context), "the sign-in page clears a cookie that no longer holds"

        # the expired token with its expiry moved on and its signature kept: refused, and cleared
        tampered = browser.new_context()
        tampered.add_cookies([{**cookie, "expires": time.time() + 3600,
                               "value": forge(cookie["value"], expires_at=int(time.time()) + 3600)}])
        forged = tampered.new_page()
        forged.goto(url, wait_until="domcontentloaded")
        on_sign_in(forged)
        assert cookie_gone(tampered)
        browser.close()


@pytest.mark.browser
def test_a_bu_managers_link_naming_another_bu_stays_in_their_bu(on_built):
    snap = open_current(get_settings())
    first, last = an.data_range(snap)
    period = an.Filters(date_from=first, date_to=last)
    theirs = an.campaign_kpis(snap, policy.Scope(business_unit="amigro"), period)["current"]
    applications = {b.value: an.campaign_kpis(snap, policy.ALL, an.Filters(business_units=(b.value,), date_from=first,
                                                                           date_to=last))["current"]["applications"]
                    for b in BusinessUnit if b != BusinessUnit.AMIGRO}
    other = max(applications, key=applications.get)  # the BU the link names: its tiles differ from amigro's
    assert applications[other] != theirs["applications"]
    add_user(get_settings().users_path, "maria.links", "bu_manager", PASSWORD, business_unit="amigro", replace=True)
    with served_dashboard() as url, sync_playwright() as pw:
        browser = launch(pw)
        context = browser.new_context(viewport={"width": 1400, "height": 1600})
        page = signed_in_page(context, url, "maria.links", f"/?bu={other}&from={first}&to={last}")
        expect(tiles(page, "Applications")).to_contain_text(f"{theirs['applications']:,}", timeout=TIMEOUT)
        expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("Business unit: amigro (your scope)")
        assert bu_picker(page).count() == 0
        expect(page).not_to_have_url(re.compile(r"bu="))  # the URL is rewritten to what they see
        browser.close()
