"""The Models page in a real Chromium: a data scientist signs in, compares versions and sees the run's plots."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from access.users import add_user
from foundation.settings import get_settings
from ml import tracking
from orchestration.launch import retrain
from tests.apps.test_browser import CHROMIUM, TIMEOUT, open_page, served_dashboard, shoot

PASSWORD = "models-browser-password"


@pytest.mark.browser
def test_a_data_scientist_compares_champion_and_challenger_in_chromium(ml_warehouse):
    retrain(["churn"])
    retrain(["churn"])  # a second version: champion and challenger to compare
    versions = tracking.versions("huntred-churn")
    champion = next(v for v in versions if "champion" in v["aliases"])
    add_user(get_settings().users_path, "dana.scientist", "data_scientist", PASSWORD, replace=True)
    with served_dashboard() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 2200})
        page.goto(url, wait_until="domcontentloaded", timeout=TIMEOUT)
        page.locator('[data-testid="stTextInput"] input').first.fill("dana.scientist")
        page.locator('input[type="password"]').fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        # the landing page (Campaigns) has finished its run before we navigate away from it
        page.wait_for_selector('[data-testid="stMetric"]', timeout=TIMEOUT)
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT)
        open_page(page, "Models")
        tile = page.locator('[data-testid="stMetric"]').filter(has_text="Champion ROC-AUC")
        expect(tile).to_contain_text(f"{champion['metrics']['roc_auc']:.4f}", timeout=TIMEOUT)
        expect(page.locator('[data-testid="stMetric"]').filter(has_text="Versions")).to_contain_text(str(len(versions)))
        page.wait_for_selector('[data-testid="stImage"] img, [data-testid="stFullScreenFrame"] img', timeout=TIMEOUT)
        shoot(page, "models")
        browser.close()
