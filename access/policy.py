"""Who may do and see what: roles, the pages and API capabilities each has, and the scope of their rows.

The one place access is decided. The API checks capabilities, the dashboard checks page roles,
and every read query takes a ``Scope`` (a condition in its SQL, never a filter on rows already read).
PII rules: ``PII_ROLES`` see emails, phones and names in clear; everyone else gets stable pseudonyms
(``access.pii``).
"""
from __future__ import annotations

from dataclasses import dataclass

from models.labels import BUSINESS_UNIT_LABELS

ROLES = ("analyst", "bu_manager", "data_scientist", "client", "admin")
#: API keys also come in a ``service`` role: machines that push data in (event ingestion), read nothing.
API_ROLES = (*ROLES, "service")

#: page id -> roles that may open it
PAGE_ROLES: dict[str, frozenset[str]] = {
    "campaigns": frozenset({"analyst", "bu_manager", "data_scientist", "admin"}),
    "attribution": frozenset({"analyst", "bu_manager", "data_scientist", "admin"}),
    "pipeline": frozenset({"analyst", "bu_manager", "data_scientist", "admin"}),
    "engagement": frozenset({"analyst", "bu_manager", "data_scientist", "admin"}),
    "revenue": frozenset({"analyst", "admin"}),
    "roi_reports": frozenset({"analyst", "bu_manager", "admin"}),
    "consulting_exports": frozenset({"analyst", "client", "admin"}),
    "overview": frozenset({"analyst", "data_scientist", "admin"}),
    "models": frozenset({"data_scientist", "admin"}),
}

#: API capability -> roles that have it. Every API route names one; scope (BU, client) still applies within it.
CAPABILITIES: dict[str, frozenset[str]] = {
    "status:read": frozenset({"analyst", "data_scientist", "admin", "service"}),
    "campaigns:read": frozenset({"analyst", "bu_manager", "data_scientist", "admin", "client"}),
    "engagement:read": frozenset({"analyst", "bu_manager", "data_scientist", "admin"}),
    "scores:read": frozenset({"analyst", "bu_manager", "data_scientist", "admin"}),
    "segments:write": frozenset({"analyst", "bu_manager", "data_scientist", "admin"}),
    "analyzers:read": frozenset({"analyst", "data_scientist", "admin"}),
    "analyzers:run": frozenset({"data_scientist", "admin"}),
    "payments:read": frozenset({"analyst", "admin", "client"}),
    "reports:roi": frozenset({"analyst", "bu_manager", "admin"}),
    "reports:client_export": frozenset({"analyst", "admin", "client"}),
    "events:write": frozenset({"service", "admin"}),
}
#: Roles that see emails, phones and names in clear; everyone else gets stable pseudonyms.
PII_ROLES = frozenset({"admin"})


@dataclass(frozen=True)
class Scope:
    """The rows a person may see. Empty = everything (analysts, data scientists, admins)."""

    business_unit: str | None = None
    client_id: str | None = None
    label: str = "all business units"


ALL = Scope()


def scope_for(role: str, business_unit: str | None, client_id: str | None) -> Scope:
    """The rows a role may see: a BU manager their BU, a client their tenant, everyone else all."""
    if role == "bu_manager":
        return Scope(business_unit=business_unit, label=BUSINESS_UNIT_LABELS[business_unit])
    if role == "client":
        return Scope(client_id=client_id, label=f"client {client_id}")
    return Scope()
