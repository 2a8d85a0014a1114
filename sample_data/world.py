"""The simulated huntRED world every source is written from, so the sources agree.

Campaigns, vacancies, candidates and clients are drawn once from the seed; the ATS
events, channel exports, Stripe objects and scraped batches are views of it.
All randomness flows from ``random.Random`` instances seeded from (seed, purpose),
so the same seed gives the same bytes.
"""
from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from models.enums import BusinessUnit, CampaignObjective, CampaignPhase, Channel, Currency, Language
from sample_data import calibration as cal

MX_TZ = timezone(timedelta(hours=-6))  # America/Mexico_City has had no DST since 2022
DAY = 86_400


def rng_for(seed: int, purpose: str) -> random.Random:
    """An independent, reproducible random stream per purpose (str seeds hash with sha512)."""
    return random.Random(f"{seed}:{purpose}")


def weighted_picker(rng: random.Random, items: list, weights: list[float]):
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)

    def pick():
        return items[bisect.bisect_right(cum, rng.random() * total)]

    return pick


@dataclass
class Vacancy:
    id: str
    campaign_id: str | None
    business_unit: BusinessUnit
    role: int  # index into calibration.ROLES
    state: str
    city: str
    salary_min: int
    salary_max: int
    client_id: str | None = None  # the company the vacancy is filled for: it pays the placement fee


@dataclass
class Campaign:
    id: str
    business_unit: BusinessUnit
    name: str
    objective: CampaignObjective
    budget: float
    currency: Currency
    channels: list[Channel]
    phases: list[tuple[CampaignPhase, int, int]]  # (phase, first day index, last day index)
    client_id: str | None
    vacancies: list[Vacancy] = field(default_factory=list)

    @property
    def first_day(self) -> int:
        return self.phases[0][1]

    @property
    def last_day(self) -> int:
        return self.phases[-1][2]

    def phase_on(self, day: int) -> CampaignPhase | None:
        for phase, first, last in self.phases:
            if first <= day <= last:
                return phase
        return None


@dataclass
class Candidate:
    id: str
    business_unit: BusinessUnit
    first_name: str
    last_name: str
    email: str
    phone: str
    state: str
    city: str
    education: int  # index into calibration.EDUCATION_LEVELS
    years_experience: int
    role: int
    language: Language
    signup_ts: int
    engagement: float  # latent 0..1: drives activity and churn
    active_until_ts: int


@dataclass
class Client:
    id: str
    name: str
    business_unit: BusinessUnit
    currency: Currency
    monthly_fee: int  # minor units
    start_day: int
    churn_day: int | None


@dataclass(frozen=True)
class Hire:
    """An application that ended in a hire into a client's vacancy (what a placement fee is invoiced for)."""
    application_id: str
    vacancy: Vacancy
    business_unit: BusinessUnit
    hired_ts: int


@dataclass
class World:
    seed: int
    scale: float
    start: date
    days: int
    campaigns: list[Campaign]
    candidates: list[Candidate]
    clients: list[Client]
    active_by_bu_day: dict[tuple[BusinessUnit, int], list[Campaign]]

    def ts(self, day: int, seconds: int = 0) -> int:
        return int(datetime(self.start.year, self.start.month, self.start.day, tzinfo=MX_TZ).timestamp()) + day * DAY + seconds

    def day_of(self, ts: int) -> int:
        return (ts - self.ts(0)) // DAY

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day)

    @property
    def end_ts(self) -> int:
        return self.ts(self.days) - 1


def _seasonal_day(rng: random.Random, start: date, days: int) -> int:
    while True:
        d = rng.randrange(days)
        month = (start + timedelta(days=d)).month
        if rng.random() < cal.SEASONALITY[month] / 1.35:
            return d


def _salary(rng: random.Random, role: int, education: int, state_mult: float, years: int) -> int:
    median = cal.EDUCATION_LEVELS[education][3] * cal.ROLES[role][4] * state_mult * (1 + 0.03 * min(years, 20))
    return int(round(median * rng.lognormvariate(0, 0.18), -2))


def build_world(seed: int, scale: float, end: date) -> World:
    rng = rng_for(seed, "world")
    days = 365
    start = end - timedelta(days=days - 1)
    bus = list(cal.BU_WEIGHTS)
    pick_bu = weighted_picker(rng, bus, list(cal.BU_WEIGHTS.values()))
    pick_state = weighted_picker(rng, cal.STATES, [s[1] for s in cal.STATES])
    pick_edu = weighted_picker(rng, list(range(len(cal.EDUCATION_LEVELS))), [e[2] for e in cal.EDUCATION_LEVELS])
    channels = list(cal.CHANNEL_WEIGHTS)
    roles_by_bu = {bu: [i for i, r in enumerate(cal.ROLES) if bu in r[5]] for bu in bus}

    n_clients = max(7, round(560 * scale))
    clients: list[Client] = []
    for i in range(n_clients):
        bu = bus[i % len(bus)] if i < len(bus) else pick_bu()  # every BU has clients, Solutions included
        name = (rng.choice(cal.SOLUTIONS_CLIENT_NAMES) if bu == BusinessUnit.HUNTRED_SOLUTIONS else rng.choice(cal.COMPANIES))
        currency = Currency.USD if rng.random() < 0.2 else Currency.MXN
        fee_mxn = rng.choice((8_500, 15_000, 24_000, 45_000, 90_000)) * (2.2 if bu == BusinessUnit.HUNTRED_EXECUTIVE else 1)
        fee = fee_mxn / cal.USD_MXN if currency == Currency.USD else fee_mxn
        start_day = rng.randrange(-180, days - 20)
        churn_day = start_day + int(rng.expovariate(1 / 420)) if rng.random() < 0.45 else None
        clients.append(Client(f"cli_{i + 1:05d}", f"{name} {i + 1}", bu, currency, int(round(fee)) * 100,
                              max(start_day, -180), churn_day if churn_day and churn_day < days else None))
    solutions_clients = [c for c in clients if c.business_unit == BusinessUnit.HUNTRED_SOLUTIONS]

    n_campaigns = max(7, round(120 * scale))
    campaigns: list[Campaign] = []
    vacancy_no = 0
    for i in range(n_campaigns):
        bu = bus[i % len(bus)] if i < len(bus) else pick_bu()  # every BU has campaigns
        first = _seasonal_day(rng, start, days - 30)
        phases, day = [], first
        for phase, (lo, hi) in zip(CampaignPhase, ((7, 14), (14, 30), (14, 30), (7, 21))):
            length = rng.randint(lo, hi)
            phases.append((phase, day, day + length - 1))
            day += length
        chosen = sorted(set(rng.sample(channels, rng.randint(3, 6))), key=channels.index)
        role = rng.choice(roles_by_bu[bu])
        year = (start + timedelta(days=first)).year
        title = cal.ROLES[role][1]
        objective = rng.choice((CampaignObjective.CANDIDATE_ATTRACTION,) * 4 + tuple(CampaignObjective))
        currency = Currency.USD if bu == BusinessUnit.HUNTRED_EXECUTIVE and rng.random() < 0.5 else Currency.MXN
        budget = rng.choice((40_000, 60_000, 90_000, 150_000, 250_000)) * cal.BU_BUDGET_MULTIPLIER[bu]
        if currency == Currency.USD:
            budget = round(budget / cal.USD_MXN, -1)
        client = rng.choice(solutions_clients).id if bu == BusinessUnit.HUNTRED_SOLUTIONS and solutions_clients else None
        campaign = Campaign(f"cmp_{i + 1:05d}", bu, f"{title} {year} · {bu.value} #{i + 1}", objective, float(budget),
                            currency, chosen, phases, client)
        for _ in range(rng.randint(1, 4)):
            vacancy_no += 1
            state, _, mult, cities = pick_state()
            low = _salary(rng, role, 2, mult, 3)
            campaign.vacancies.append(Vacancy(f"vac_{vacancy_no:06d}", campaign.id, bu, role, state, rng.choice(cities),
                                              low, int(round(low * rng.uniform(1.2, 1.5), -2))))
        campaigns.append(campaign)
    _assign_hiring_clients(rng_for(seed, "hiring_clients"), campaigns, clients)

    active: dict[tuple[BusinessUnit, int], list[Campaign]] = {}
    for c in campaigns:
        for d in range(max(c.phases[1][1], 0), min(c.last_day, days - 1) + 1):  # applications open at Lanzamiento
            active.setdefault((c.business_unit, d), []).append(c)

    n_candidates = max(50, round(20_000 * scale))
    candidates: list[Candidate] = []
    base = int(datetime(start.year, start.month, start.day, tzinfo=MX_TZ).timestamp())
    for i in range(n_candidates):
        bu = pick_bu()
        first, last = rng.choice(cal.FIRST_NAMES), rng.choice(cal.LAST_NAMES)
        state, _, _, cities = pick_state()
        role = rng.choice(roles_by_bu[bu])
        edu = pick_edu()
        if bu == BusinessUnit.HUNTU:
            years = rng.randint(0, 2)
        elif bu == BusinessUnit.HUNTRED_EXECUTIVE:
            years = rng.randint(12, 30)
        else:
            years = min(35, int(rng.expovariate(1 / 7)))
        language = Language.EN if rng.random() < (0.35 if bu == BusinessUnit.AMIGRO else 0.12) else Language.ES
        signup = base + _seasonal_day(rng, start, days) * DAY + rng.randrange(7 * 3600, 22 * 3600)
        engagement = rng.betavariate(2, 3)
        lifetime = int(rng.expovariate(1 / (40 + 320 * engagement)) * DAY)
        email_user = f"{_ascii(first)}.{_ascii(last)}{rng.randrange(100)}".lower()
        candidates.append(Candidate(
            f"cand_{i + 1:07d}", bu, first, last, f"{email_user}@{rng.choice(cal.EMAIL_DOMAINS)}",
            f"+52 {rng.choice(('55', '33', '81', '442', '222', '477'))} {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}",
            state, rng.choice(cities), edu, years, role, language, signup, engagement, signup + max(lifetime, 3 * DAY)))
    return World(seed, scale, start, days, campaigns, candidates, clients, active)


def _assign_hiring_clients(rng: random.Random, campaigns: list[Campaign], clients: list[Client]) -> None:
    """Each vacancy is filled for a client: a Solutions campaign's own client, else a client of the campaign's BU
    that is a customer when the campaign starts (any of the BU's clients if none is yet).

    Its own random stream, so the rest of the world is drawn exactly as before vacancies had clients."""
    by_bu: dict[BusinessUnit, list[Client]] = {}
    for client in clients:
        by_bu.setdefault(client.business_unit, []).append(client)
    for campaign in campaigns:
        own = by_bu[campaign.business_unit]
        current = [c for c in own if c.start_day <= campaign.first_day and (c.churn_day is None or c.churn_day > campaign.first_day)]
        for vacancy in campaign.vacancies:
            vacancy.client_id = campaign.client_id or rng.choice(current or own).id


_ASCII = str.maketrans("áéíóúüñÁÉÍÓÚÜÑ", "aeiouunAEIOUUN")


def _ascii(text: str) -> str:
    return text.translate(_ASCII).replace(" ", "")
