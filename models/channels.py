"""Channel-metrics contracts: one CSV per channel and day, each in its platform's own export shape.

Column names, date formats and currency conventions differ by platform on purpose
(that is what the exports look like); ``transforms/models/staging/channels`` renames
them to the canonical names given here.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.enums import Channel, Currency


class ColumnKind(StrEnum):
    DATE = "date"
    ID = "id"
    TEXT = "text"
    COUNT = "count"
    MONEY = "money"
    CURRENCY = "currency"


@dataclass(frozen=True)
class ExportColumn:
    native: str  # header exactly as the platform writes it
    canonical: str  # name in the unified staging model
    kind: ColumnKind

    @property
    def duckdb_type(self) -> str:
        return {
            ColumnKind.DATE: "DATE",
            ColumnKind.ID: "VARCHAR",
            ColumnKind.TEXT: "VARCHAR",
            ColumnKind.COUNT: "BIGINT",
            ColumnKind.MONEY: "DOUBLE",
            ColumnKind.CURRENCY: "VARCHAR",
        }[self.kind]


@dataclass(frozen=True)
class ChannelExport:
    channel: Channel
    columns: tuple[ExportColumn, ...]
    date_format: str  # strftime format of the date column
    fixed_currency: Currency | None = None  # when the currency is implied, not a column

    @property
    def raw_table(self) -> str:
        return f"channel_{self.channel.value}"

    @property
    def headers(self) -> list[str]:
        return [c.native for c in self.columns]

    def column(self, canonical: str) -> ExportColumn:
        return next(c for c in self.columns if c.canonical == canonical)

    @property
    def key_columns(self) -> tuple[str, str]:
        """Natural key of a row: (date column, campaign id column), native names."""
        return self.column("metric_date").native, self.column("campaign_id").native


def _cols(*spec: tuple[str, str, ColumnKind]) -> tuple[ExportColumn, ...]:
    return tuple(ExportColumn(n, c, k) for n, c, k in spec)


D, I, T, N, M, C = (ColumnKind.DATE, ColumnKind.ID, ColumnKind.TEXT, ColumnKind.COUNT, ColumnKind.MONEY, ColumnKind.CURRENCY)

CHANNEL_EXPORTS: dict[Channel, ChannelExport] = {
    e.channel: e
    for e in (
        # LinkedIn Campaign Manager: US dates, spend with its currency column.
        ChannelExport(Channel.LINKEDIN, _cols(
            ("Start Date (in UTC)", "metric_date", D), ("Campaign ID", "campaign_id", I),
            ("Campaign Name", "campaign_name", T), ("Impressions", "impressions", N), ("Reach", "reach", N),
            ("Clicks", "clicks", N), ("Job Applications", "applications", N),
            ("Total Spent", "spend", M), ("Currency", "currency", C)), "%m/%d/%Y"),
        # Indeed Sponsored Jobs: the tracking code is our campaign id.
        ChannelExport(Channel.INDEED, _cols(
            ("Date", "metric_date", D), ("Sponsored Job Campaign", "campaign_id", I),
            ("Impressions", "impressions", N), ("Clicks", "clicks", N), ("Apply Starts", "apply_starts", N),
            ("Applies", "applications", N), ("Spend", "spend", M), ("Currency", "currency", C)), "%Y-%m-%d"),
        # OCC Mundial: Spanish headers, day-first dates, always billed in MXN.
        ChannelExport(Channel.OCC, _cols(
            ("Fecha", "metric_date", D), ("Clave de campaña", "campaign_id", I),
            ("Impresiones", "impressions", N), ("Alcance", "reach", N), ("Clics", "clicks", N),
            ("Postulaciones", "applications", N), ("Inversión (MXN)", "spend", M)), "%d/%m/%Y", Currency.MXN),
        ChannelExport(Channel.GLASSDOOR, _cols(
            ("Day", "metric_date", D), ("Campaign Id", "campaign_id", I), ("Impressions", "impressions", N),
            ("Job Views", "reach", N), ("Apply Clicks", "clicks", N), ("Applications", "applications", N),
            ("Spend", "spend", M), ("Currency", "currency", C)), "%Y-%m-%d"),
        ChannelExport(Channel.MONSTER, _cols(
            ("report_date", "metric_date", D), ("campaign_ref", "campaign_id", I),
            ("impressions", "impressions", N), ("clicks", "clicks", N), ("applies", "applications", N),
            ("cost", "spend", M), ("currency_code", "currency", C)), "%Y-%m-%d"),
        # Messaging channels report sends, deliveries, reads and replies.
        ChannelExport(Channel.WHATSAPP, _cols(
            ("date", "metric_date", D), ("campaign_id", "campaign_id", I), ("sent", "sends", N),
            ("delivered", "deliveries", N), ("read", "reads", N), ("replied", "replies", N),
            ("cost", "spend", M), ("currency", "currency", C)), "%Y-%m-%d"),
        ChannelExport(Channel.TELEGRAM, _cols(
            ("date", "metric_date", D), ("campaign_id", "campaign_id", I), ("messages_sent", "sends", N),
            ("messages_delivered", "deliveries", N), ("views", "reads", N), ("replies", "replies", N)),
            "%Y-%m-%d", Currency.USD),
        # SendGrid-style stats: costs in USD, opens are the "reads".
        ChannelExport(Channel.EMAIL, _cols(
            ("date", "metric_date", D), ("campaign_id", "campaign_id", I), ("requests", "sends", N),
            ("delivered", "deliveries", N), ("unique_opens", "reads", N), ("unique_clicks", "clicks", N),
            ("bounces", "bounces", N), ("cost_usd", "spend", M)), "%Y-%m-%d", Currency.USD),
        # GA4 export of the careers site: compact dates, utm campaign = our campaign id.
        ChannelExport(Channel.WEB, _cols(
            ("Date", "metric_date", D), ("Session campaign", "campaign_id", I), ("Sessions", "impressions", N),
            ("Total users", "reach", N), ("Engaged sessions", "clicks", N), ("Key events", "applications", N)),
            "%Y%m%d", Currency.MXN),
    )
}
