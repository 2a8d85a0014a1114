"""Stripe contracts: the fields of Stripe's API objects the platform relies on.

Objects keep every other field (``extra="allow"``) because they are stored whole;
these models only decide whether an object is usable. Shapes follow Stripe's API
(``shared/fixtures/stripe/fixtures3.json``).
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.plausible import PlausibleUnixSeconds

StripeId = Field(min_length=3, max_length=255)


class _StripeObject(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    id: str = StripeId
    created: PlausibleUnixSeconds = Field(description="Unix seconds, as Stripe sends it.")
    livemode: bool = False


class Customer(_StripeObject):
    object: Literal["customer"]
    email: str | None = None
    name: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


class Charge(_StripeObject):
    object: Literal["charge"]
    amount: int = Field(ge=0, description="Minor units (centavos/cents).")
    amount_refunded: int = Field(0, ge=0)
    currency: str = Field(pattern=r"^[a-z]{3}$")
    customer: str | dict | None = None
    invoice: str | dict | None = None
    status: Literal["succeeded", "pending", "failed"]
    paid: bool
    refunded: bool = False
    failure_code: str | None = None


class Invoice(_StripeObject):
    object: Literal["invoice"]
    customer: str | dict | None
    currency: str = Field(pattern=r"^[a-z]{3}$")
    amount_due: int = Field(ge=0)
    amount_paid: int = Field(ge=0)
    status: Literal["draft", "open", "paid", "uncollectible", "void"] | None
    subscription: str | dict | None = None


class Subscription(_StripeObject):
    object: Literal["subscription"]
    customer: str | dict
    status: Literal["incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled", "unpaid", "paused"]
    currency: str = Field(pattern=r"^[a-z]{3}$")
    canceled_at: int | None = None
    items: dict


class Refund(_StripeObject):
    object: Literal["refund"]
    amount: int = Field(ge=0)
    currency: str = Field(pattern=r"^[a-z]{3}$")
    charge: str | dict | None
    status: str | None = None


#: Stripe ``object`` value -> contract. These are the resources the lakehouse ingests.
STRIPE_OBJECT_MODELS: dict[str, type[_StripeObject]] = {
    "customer": Customer,
    "charge": Charge,
    "invoice": Invoice,
    "subscription": Subscription,
    "refund": Refund,
}


class StripeEvent(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    id: str = StripeId
    object: Literal["event"]
    type: str = Field(min_length=3)
    created: PlausibleUnixSeconds = Field(strict=True, description="Unix seconds, 2000 to a day ahead; a float or a string is refused, not rounded.")
    api_version: str | None = None
    data: dict


#: how far a signature timestamp may be from the request's arrival (Stripe's default tolerance)
WEBHOOK_TOLERANCE_SECONDS = 300


class WebhookDelivery(BaseModel):
    """One line of ``landing/stripe/webhooks/**.jsonl``: a request as our endpoint received it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    received_at: int = Field(ge=0, description="Unix seconds when the request arrived.")
    stripe_signature: str = Field(description="The Stripe-Signature header, verbatim.")
    body: str = Field(description="The raw request body; the signature covers these exact bytes.")
