"""Channel exports: ``channel_metrics/<channel>/<channel>_<YYYY-MM-DD>.csv``, one per channel and day.

Each platform's file uses its own headers, date format and currency convention
(``models.channels.CHANNEL_EXPORTS``). Applications reported by job boards equal
the ATS applications attributed to that campaign, channel and day, so the funnel
reach -> clicks -> applications -> hires holds across sources.
"""
from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from pathlib import Path

from models.channels import CHANNEL_EXPORTS, ColumnKind
from models.enums import MESSAGING_CHANNELS, CampaignPhase, Channel, Currency
from sample_data import calibration as cal
from sample_data.manifest import Manifest
from sample_data.world import World, rng_for

# Share of clicks that become applications, by phase: Expectativa builds awareness,
# Retargeting talks to people who already know the vacancy.
APPLY_RATE = {CampaignPhase.EXPECTATIVA: 0.015, CampaignPhase.LANZAMIENTO: 0.07,
              CampaignPhase.CONSOLIDACION: 0.06, CampaignPhase.RETARGETING: 0.11}
BILLING_CURRENCY = {Channel.LINKEDIN: Currency.USD, Channel.GLASSDOOR: Currency.USD, Channel.WHATSAPP: Currency.USD,
                    Channel.INDEED: Currency.MXN, Channel.MONSTER: Currency.MXN}
COST_PER_SEND_USD = {Channel.WHATSAPP: 0.0436, Channel.EMAIL: 0.0009, Channel.TELEGRAM: 0.0}
READ_RATE = {Channel.WHATSAPP: 0.81, Channel.TELEGRAM: 0.62, Channel.EMAIL: 0.31}


def _metrics(rng, channel: Channel, phase: CampaignPhase, daily_budget_mxn: float, applications: int) -> dict:
    """Canonical metrics of one campaign-channel-day."""
    noise = rng.lognormvariate(0, 0.25)
    if channel in MESSAGING_CHANNELS:
        sends = max(applications * 12, int(daily_budget_mxn / 6 * noise))
        deliveries = int(sends * rng.uniform(0.9, 0.99))
        reads = int(deliveries * READ_RATE[channel] * rng.uniform(0.85, 1.1))
        replies = min(reads, applications + int(reads * rng.uniform(0.02, 0.08)))
        spend_usd = sends * COST_PER_SEND_USD[channel]
        return {"sends": sends, "deliveries": deliveries, "reads": reads, "replies": replies, "clicks": replies,
                "bounces": sends - deliveries, "spend_mxn": spend_usd * cal.USD_MXN}
    cpc = cal.CHANNEL_COST_PER_CLICK_MXN[channel]
    paid_clicks = int(daily_budget_mxn * cal.MEDIA_PLAN_PACING / cpc * noise) if cpc else int(daily_budget_mxn / 40 * noise)
    clicks = max(paid_clicks, int(applications / APPLY_RATE[phase]))
    impressions = int(clicks / cal.CHANNEL_CTR[channel] * rng.uniform(0.8, 1.2))
    reach = int(impressions / rng.uniform(1.3, 2.4))
    return {"impressions": impressions, "reach": reach, "clicks": clicks, "applications": applications,
            "apply_starts": applications + int((clicks - applications) * 0.12), "spend_mxn": clicks * cpc * rng.uniform(0.9, 1.1)}


def write_channel_metrics(world: World, out: Path, manifest: Manifest, applications: Counter) -> None:
    rng = rng_for(world.seed, "channels")
    rows: dict[tuple[Channel, int], list[list[str]]] = defaultdict(list)
    for c in world.campaigns:
        budget_mxn = c.budget * (cal.USD_MXN if c.currency == Currency.USD else 1)
        duration = c.last_day - c.first_day + 1
        # the media plan splits the budget over the channels that charge per click; messaging and the careers site
        # take their sends and visits from an even share, as before
        paid = [ch for ch in c.channels if ch not in MESSAGING_CHANNELS and cal.CHANNEL_COST_PER_CLICK_MXN.get(ch)]
        for channel in c.channels:
            daily_budget_mxn = budget_mxn / duration / (len(paid) if channel in paid else len(c.channels))
            export = CHANNEL_EXPORTS[channel]
            for phase, first, last in c.phases:
                for day in range(max(first, 0), min(last, world.days - 1) + 1):
                    date_str = world.date_of(day).isoformat()
                    apps = applications.get((c.id, channel, date_str), 0)
                    m = _metrics(rng, channel, phase, daily_budget_mxn, apps)
                    currency = export.fixed_currency or BILLING_CURRENCY.get(channel, Currency.MXN)
                    spend = m["spend_mxn"] / (cal.USD_MXN if currency == Currency.USD else 1)
                    values = {"metric_date": world.date_of(day).strftime(export.date_format), "campaign_id": c.id,
                              "campaign_name": c.name, "spend": f"{spend:.2f}", "currency": currency.value,
                              **{k: str(v) for k, v in m.items() if k != "spend_mxn"}}
                    rows[(channel, day)].append([values[col.canonical] for col in export.columns])
    _inject_bad_rows(rng, rows, manifest)
    for (channel, day), day_rows in sorted(rows.items(), key=lambda kv: (kv[0][0].value, kv[0][1])):
        export = CHANNEL_EXPORTS[channel]
        folder = out / "channel_metrics" / channel.value
        folder.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(export.headers)
        writer.writerows(day_rows)
        (folder / f"{channel.value}_{world.date_of(day).isoformat()}.csv").write_text(buf.getvalue(), encoding="utf-8")
        manifest.files["channel_metrics"] += 1
    for (channel, _), day_rows in rows.items():
        manifest.expect_raw(CHANNEL_EXPORTS[channel].raw_table, len(day_rows))
    # bad rows were counted as quarantined when injected; take them out of the raw expectation
    for key, n in list(manifest.quarantined.items()):
        table = key.split("/")[0]
        if table.startswith("channel_"):
            manifest.raw_rows[table] -= n


def _inject_bad_rows(rng, rows: dict, manifest: Manifest) -> None:
    keys = sorted(rows, key=lambda k: (k[0].value, k[1]))
    n = max(9, sum(len(v) for v in rows.values()) // 500)  # ~0.2% of rows
    for i in range(n):
        channel, day = rng.choice(keys)
        export = CHANNEL_EXPORTS[channel]
        bad = list(rng.choice(rows[(channel, day)]))
        table = export.raw_table
        kind = ("duplicate", "negative", "missing_id", "bad_date", "bad_currency")[i % 5]
        if kind == "bad_currency" and not any(c.kind == ColumnKind.CURRENCY for c in export.columns):
            kind = "negative"
        if kind == "negative":
            idx = next(j for j, c in enumerate(export.columns) if c.kind == ColumnKind.COUNT)
            bad[idx] = str(-int(bad[idx]) - 1)
            manifest.expect_quarantine(table, "invalid_value")
        elif kind == "missing_id":
            bad[next(j for j, c in enumerate(export.columns) if c.kind == ColumnKind.ID)] = ""
            manifest.expect_quarantine(table, "missing_field")
        elif kind == "bad_date":
            bad[0] = "2026-02-31" if export.date_format == "%Y-%m-%d" else "31/31/2026"
            manifest.expect_quarantine(table, "invalid_value")
        elif kind == "bad_currency":
            bad[next(j for j, c in enumerate(export.columns) if c.kind == ColumnKind.CURRENCY)] = "EUR"
            manifest.expect_quarantine(table, "unknown_value")
        else:  # the platform re-sent a row it had already sent
            manifest.expect_quarantine(table, "duplicate")
        rows[(channel, day)].append(bad)
