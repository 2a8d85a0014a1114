"""ATS events as JSON Lines, one file per delivery day: ``ats_events/YYYY-MM-DD.jsonl``.

Lines in a file are in time order, as an event bus export would be. A small share
of records is deliberately bad (see ``_inject_bad_lines``) and about 1% of good
events arrive a few days late, in a later day's file.
"""
from __future__ import annotations

import os
import random
from collections import Counter
from datetime import datetime
from pathlib import Path

import orjson

from models.enums import (
    ApplicationStage,
    AssessmentType,
    ChatIntent,
    ConversationChannel,
    Language,
    NotificationChannel,
    RewardType,
)
from models.ground_truth import VACANCIES, write_truth
from sample_data import calibration as cal
from sample_data.manifest import Manifest
from sample_data.world import DAY, MX_TZ, Campaign, Candidate, Hire, World, rng_for, weighted_picker

TABLE = "ats_events"
LEVELS = ((100, "Explorador"), (300, "Aspirante"), (700, "Profesional"), (1500, "Experto"), (3000, "Leyenda"))
TEMPLATES = ("tpl_bienvenida", "tpl_vacante_nueva", "tpl_entrevista", "tpl_recordatorio", "tpl_evaluacion",
             "tpl_oferta", "tpl_feedback", "tpl_retargeting", "tpl_referidos", "tpl_newsletter")
OPEN_RATE = {NotificationChannel.EMAIL: 0.34, NotificationChannel.WHATSAPP: 0.82, NotificationChannel.TELEGRAM: 0.64,
             NotificationChannel.SMS: 0.45, NotificationChannel.PUSH: 0.22, NotificationChannel.SLACK: 0.7}
INTENT_TEXT = {
    ChatIntent.GREETING: ("Hola, buenas tardes", "Hi there"),
    ChatIntent.JOB_SEARCH: ("¿Tienen vacantes de {role} en {city}?", "Do you have {role} openings in {city}?"),
    ChatIntent.APPLY_JOB: ("Quiero aplicar a la vacante de {role}", "I want to apply for the {role} role"),
    ChatIntent.SALARY_QUESTION: ("¿Cuál es el rango salarial?", "What is the salary range?"),
    ChatIntent.INTERVIEW_SCHEDULING: ("¿Puedo cambiar mi entrevista al jueves?", "Can I move my interview to Thursday?"),
    ChatIntent.APPLICATION_STATUS: ("¿En qué etapa va mi proceso?", "What stage is my application in?"),
    ChatIntent.ASSESSMENT_HELP: ("No puedo abrir la evaluación", "I can't open the assessment"),
    ChatIntent.FAQ: ("¿Es trabajo remoto o presencial?", "Is the job remote or on-site?"),
    ChatIntent.HUMAN_HANDOFF: ("Prefiero hablar con una persona", "I'd rather talk to a person"),
    ChatIntent.UNKNOWN: ("ok gracias 👍", "ok thanks 👍"),
}
BOT_TEXT = ("Con gusto te ayudo, {name}.", "Happy to help, {name}.")
VACANCY_TEXT = (
    "Buscamos {title} para {company} en {city}, {state}. Requisitos: {years} de experiencia y dominio de {skills}. "
    "Ofrecemos sueldo mensual de ${low:,} a ${high:,} MXN, prestaciones superiores a las de ley y crecimiento.",
    "We are hiring a {title} for {company} in {city}, {state}. Requirements: {years} of experience and strong "
    "{skills}. Monthly salary ${low:,} to ${high:,} MXN, benefits above the legal minimum and room to grow.",
)


class _DayFiles:
    """Spills events to per-day temporary files so memory stays flat at any scale, then sorts each day."""

    def __init__(self, root: Path, days: int) -> None:
        self.root, self.days = root, days
        self.buffers: dict[int, list[bytes]] = {}
        self.buffered = 0

    def add(self, day: int, ts: int, line: bytes) -> None:
        self.buffers.setdefault(day, []).append(b"%010d\t%s" % (ts, line))
        self.buffered += 1
        if self.buffered >= 400_000:
            self.flush()

    def flush(self) -> None:
        for day, lines in self.buffers.items():
            with open(self.root / f".{day:03d}.tmp", "ab") as fh:
                fh.write(b"\n".join(lines) + b"\n")
        self.buffers, self.buffered = {}, 0

    def finish(self, name_of_day) -> int:
        self.flush()
        written = 0
        for day in range(self.days):
            tmp = self.root / f".{day:03d}.tmp"
            if not tmp.exists():
                continue
            lines = tmp.read_bytes().splitlines()
            lines.sort(key=lambda raw: raw[:10])  # stable: same-second events keep generation order
            (self.root / name_of_day(day)).write_bytes(b"\n".join(raw[11:] for raw in lines) + b"\n")
            os.remove(tmp)
            written += 1
        return written


class AtsWriter:
    def __init__(self, world: World, out: Path, manifest: Manifest) -> None:
        self.w, self.m = world, manifest
        self.root = out / "ats_events"
        self.root.mkdir(parents=True, exist_ok=True)
        self.rng = rng_for(world.seed, "ats")
        self.files = _DayFiles(self.root, world.days)
        self.seq = 0
        self.good_lines: list[tuple[int, bytes]] = []  # a sample kept for duplicate deliveries
        #: (campaign_id, channel, date) -> applications, for the channel exports
        self.applications: Counter = Counter()
        self.by_type: Counter = Counter()
        self.ids: Counter = Counter()
        self.vacancy_rng = rng_for(world.seed, "vacancies")
        self.vacancy_truth: list[dict] = []
        #: the hires the period saw, for the placement invoices Stripe bills them with
        self.hires: list[Hire] = []

    def _next(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    # -- plumbing ---------------------------------------------------------------------
    def _emit(self, ts: int, event_type: str, bu, payload: dict, candidate_id=None, campaign_id=None) -> None:
        if ts > self.w.end_ts:
            return
        self.seq += 1
        event = {
            "event_id": f"evt_{self.seq:09d}",
            "event_type": event_type,
            "occurred_at": datetime.fromtimestamp(ts, MX_TZ).isoformat(),
            "business_unit": bu.value,
            "candidate_id": candidate_id,
            "campaign_id": campaign_id,
            "payload": payload,
        }
        line = orjson.dumps(event)
        day = self.w.day_of(ts)
        if self.rng.random() < 0.01:  # late delivery: lands in a later day's file
            day = min(self.w.days - 1, day + self.rng.randint(1, 5))
            self.m.notes["ats_events_late_deliveries"] += 1
        self.files.add(day, ts, line)
        self.m.expect_raw(TABLE)
        self.by_type[event_type] += 1
        if self.rng.random() < 0.002:
            self.good_lines.append((day, line))

    # -- modules ------------------------------------------------------------------------
    def publish(self) -> None:
        r = self.rng
        for c in self.w.campaigns:
            created = self.w.ts(c.first_day - 7, r.randrange(9 * 3600, 18 * 3600))
            bu = c.business_unit
            self._emit(max(created, self.w.ts(0)), "publish.campaign_created", bu, {
                "campaign_id": c.id, "name": c.name, "objective": c.objective.value, "budget": c.budget,
                "currency": c.currency.value, "channels": [ch.value for ch in c.channels],
                "phases": [{"phase": p.value, "start_date": self.w.date_of(a).isoformat(),
                            "end_date": self.w.date_of(b).isoformat()} for p, a, b in c.phases],
                "client_id": c.client_id}, campaign_id=c.id)
            for vacancy in c.vacancies:
                self._vacancy(c, vacancy, max(created, self.w.ts(0)) + 60)
            post = 0
            for phase, first, last in c.phases:
                self._emit(self.w.ts(first, 8 * 3600), "publish.phase_started", bu,
                           {"campaign_id": c.id, "phase": phase.value}, campaign_id=c.id)
                for ch in c.channels:
                    for _ in range(r.randint(1, 3)):
                        post += 1
                        self._emit(self.w.ts(r.randint(first, last), r.randrange(8 * 3600, 20 * 3600)),
                                   "publish.post_published", bu, {
                                       "post_id": f"{c.id}_p{post:03d}", "campaign_id": c.id, "channel": ch.value,
                                       "phase": phase.value, "language": "en" if r.random() < 0.15 else "es"},
                                   campaign_id=c.id)

    def _vacancy(self, c: Campaign, v, ts: int) -> None:
        """A vacancy's posting (title, text, required skills, experience, place, pay), and its ground truth."""
        r = self.vacancy_rng
        family, title_es, title_en, skills, _, _ = cal.ROLES[v.role]
        if c.business_unit.value == "huntu":
            min_years = 0
        elif c.business_unit.value == "huntred_executive":
            min_years = r.choice((10, 12, 15))
        else:
            min_years = r.choice((1, 2, 3, 5, 8))
        required = sorted(r.sample(skills, k=min(len(skills), r.randint(3, 5))), key=skills.index)
        english = r.random() < 0.15
        title = title_en if english else title_es
        years = (f"{min_years}+ years" if english else f"{min_years}+ años") if min_years else ("no prior years" if english else "sin años previos")
        text = VACANCY_TEXT[english].format(title=title, company=r.choice(cal.COMPANIES), city=v.city, state=v.state,
                                            years=years, skills=", ".join(required), low=v.salary_min, high=v.salary_max)
        self._emit(ts, "publish.vacancy_published", c.business_unit, {
            "vacancy_id": v.id, "campaign_id": c.id, "client_id": v.client_id, "title": title, "description": text, "required_skills": required,
            "min_years_experience": min_years, "state": v.state, "city": v.city, "salary_min": v.salary_min,
            "salary_max": v.salary_max, "currency": "MXN", "language": "en" if english else "es"}, campaign_id=c.id)
        self.vacancy_truth.append({"vacancy_id": v.id, "role_index": v.role, "role_family": family,
                                   "min_years_experience": min_years, "state": v.state, "business_unit": c.business_unit.value})

    def candidate(self, cand: Candidate, next_candidate_ids: list[str]) -> None:
        r, w = self.rng, self.w
        state = {"points": 0, "level": 0, "apps": 0, "achievements": set()}
        n_apps = 1 + min(6, int(r.expovariate(1 / 0.6)))
        app_ts = cand.signup_ts
        for k in range(n_apps):
            if app_ts > min(cand.active_until_ts, w.end_ts):
                break
            self._application(cand, app_ts, k, state)
            app_ts += r.randint(5, 90) * DAY + r.randrange(-3 * 3600, 3 * 3600)
        span = max(DAY, min(cand.active_until_ts, w.end_ts) - cand.signup_ts)
        e = cand.engagement
        for _ in range(_poisson(r, 0.6 + 4.5 * e)):
            self._conversation(cand, cand.signup_ts + r.randrange(span))
        for _ in range(_poisson(r, 3.0 + 8.0 * e)):
            self._notification(cand, cand.signup_ts + r.randrange(span))
        for _ in range(_poisson(r, 1 + 5 * e)):
            self._points(cand, cand.signup_ts + r.randrange(span), 10, "profile_update", state)
        if e > 0.55 and next_candidate_ids:
            for _ in range(_poisson(r, 2.0 * e)):
                self._referral(cand, cand.signup_ts + r.randrange(span), next_candidate_ids, state)

    def _application(self, cand: Candidate, ts: int, k: int, state: dict) -> None:
        r, w = self.rng, self.w
        day = w.day_of(ts)
        active = w.active_by_bu_day.get((cand.business_unit, day))
        campaign: Campaign | None = r.choice(active) if active and r.random() < 0.9 else None
        if campaign:
            pick = weighted_picker(r, campaign.channels, [cal.CHANNEL_WEIGHTS[ch] for ch in campaign.channels])
            channel = pick()
            vacancy = r.choice(campaign.vacancies)
            self.applications[(campaign.id, channel, w.date_of(day).isoformat())] += 1
        else:  # organic application through the careers site
            channel = cal.Channel.WEB
            vacancy = None
        app_id = f"app_{cand.id[5:]}_{k}"
        vac_id = vacancy.id if vacancy else f"vac_org_{cand.role:02d}"
        cmp_id = campaign.id if campaign else None
        quality = cal.CHANNEL_QUALITY[channel] * cal.BU_SELECTIVITY[cand.business_unit] * (0.8 + 0.4 * cand.engagement)
        stage, t = None, ts
        gaps = {"screened": 3, "interviewed": 7, "offered": 9, "hired": 6}
        for nxt in ("applied", "screened", "interviewed", "offered", "hired"):
            if nxt != "applied":
                if r.random() > min(0.95, cal.BASE_PASS_THROUGH[stage] * quality):
                    if r.random() < 0.8:  # otherwise the application just goes stale
                        t += int(r.lognormvariate(1.2, 0.6) * DAY)
                        self._emit(t, "workflow.stage_changed", cand.business_unit, {
                            "application_id": app_id, "vacancy_id": vac_id, "from_stage": stage,
                            "to_stage": ApplicationStage.REJECTED.value, "source_channel": channel.value},
                                   cand.id, cmp_id)
                    return
                t += int(r.lognormvariate(0, 0.5) * gaps[nxt] * DAY)
            self._emit(t, "workflow.stage_changed", cand.business_unit, {
                "application_id": app_id, "vacancy_id": vac_id, "from_stage": stage, "to_stage": nxt,
                "source_channel": channel.value}, cand.id, cmp_id)
            if nxt == "hired" and vacancy is not None and t <= w.end_ts:
                self.hires.append(Hire(app_id, vacancy, cand.business_unit, t))
            if nxt == "applied":
                state["apps"] += 1
                self._points(cand, t + 60, 50, "application", state)
                if state["apps"] in (1, 5):
                    self._achievement(cand, t + 61, "primer_aplicacion" if state["apps"] == 1 else "cinco_aplicaciones", state)
            if nxt == "screened" and r.random() < 0.7:
                self._assessment(cand, t + r.randrange(3600, 2 * DAY), app_id, state)
            stage = nxt

    def _assessment(self, cand: Candidate, ts: int, app_id: str, state: dict) -> None:
        r = self.rng
        aid = f"asm_{app_id[4:]}"
        kind = r.choice(list(AssessmentType))
        base = {"assessment_id": aid, "assessment_type": kind.value, "score": None}
        self._emit(ts, "assessment.created", cand.business_unit, base, cand.id)
        if r.random() < 0.85:
            ts += r.randrange(3600, 4 * DAY)
            self._emit(ts, "assessment.submitted", cand.business_unit, base, cand.id)
            score = round(min(100.0, max(0.0, r.gauss(62 + 25 * cand.engagement, 14))), 1)
            self._emit(ts + r.randrange(60, 7200), "assessment.scored", cand.business_unit, {**base, "score": score}, cand.id)
            self._points(cand, ts + 7300, 30, "assessment", state)
            if score >= 90:
                self._achievement(cand, ts + 7301, "evaluacion_sobresaliente", state)

    def _conversation(self, cand: Candidate, ts: int) -> None:
        r = self.rng
        self.ids["conv"] += 1
        conv = f"conv_{self.ids['conv']:08d}"
        channel = r.choices(list(ConversationChannel), weights=(55, 10, 25, 5, 2, 3))[0]
        lang = cand.language
        bu = cand.business_unit
        self._emit(ts, "chatbot.conversation_started", bu,
                   {"conversation_id": conv, "channel": channel.value, "language": lang.value}, cand.id)
        n = r.randint(2, 12)
        role_title = cal.ROLES[cand.role][1 if lang == Language.ES else 2]
        handed = False
        for i in range(n):
            ts += r.randrange(5, 240)
            if i % 2 == 0:
                intent = ChatIntent.GREETING if i == 0 else r.choices(list(ChatIntent), weights=(2, 14, 12, 10, 8, 12, 5, 12, 4, 6))[0]
                text = INTENT_TEXT[intent][lang == Language.EN].format(role=role_title, city=cand.city)
                sender, score = "candidate", round(r.uniform(0.55, 0.99) if intent != ChatIntent.UNKNOWN else r.uniform(0.1, 0.5), 3)
                handed = handed or intent == ChatIntent.HUMAN_HANDOFF
            else:
                sender = "agent" if handed else "bot"
                text = BOT_TEXT[lang == Language.EN].format(name=cand.first_name)
                score = 1.0
            self._emit(ts, "chatbot.message", bu, {
                "conversation_id": conv, "message_id": f"{conv}_m{i:02d}", "sender": sender,
                "intent": intent.value, "score": score, "language": lang.value, "content": text}, cand.id)
        outcome = "handed_to_human" if handed else ("abandoned" if r.random() < 0.22 else "resolved")
        self._emit(ts + r.randrange(30, 600), "chatbot.conversation_ended", bu,
                   {"conversation_id": conv, "outcome": outcome, "message_count": n}, cand.id)
        if r.random() < 0.15:
            self._points(cand, ts + 700, 5, "chat", {"points": 0, "level": 99, "apps": 0, "achievements": set()})

    def _notification(self, cand: Candidate, ts: int) -> None:
        r = self.rng
        channel = r.choices(list(NotificationChannel), weights=(45, 30, 6, 8, 9, 2))[0]
        self.ids["ntf"] += 1
        nid = f"ntf_{self.ids['ntf']:09d}"
        base = {"notification_id": nid, "channel": channel.value, "template_id": r.choice(TEMPLATES)}
        active = self.w.active_by_bu_day.get((cand.business_unit, self.w.day_of(ts)))
        cmp_id = r.choice(active).id if active and r.random() < 0.6 else None
        bu = cand.business_unit
        self._emit(ts, "notification.sent", bu, base, cand.id, cmp_id)
        if r.random() < 0.05:
            self._emit(ts + r.randrange(1, 120), "notification.failed", bu,
                       {**base, "failure_reason": r.choice(("bounced", "invalid_number", "blocked_by_user", "provider_timeout"))},
                       cand.id, cmp_id)
            return
        ts += r.randrange(1, 300)
        self._emit(ts, "notification.delivered", bu, base, cand.id, cmp_id)
        if r.random() < OPEN_RATE[channel] * (0.6 + 0.8 * cand.engagement):
            ts += r.randrange(60, 2 * DAY)
            self._emit(ts, "notification.opened", bu, base, cand.id, cmp_id)
            if r.random() < 0.27:
                self._emit(ts + r.randrange(5, 600), "notification.clicked", bu, base, cand.id, cmp_id)

    def _points(self, cand: Candidate, ts: int, points: int, action: str, state: dict) -> None:
        self._emit(ts, "gamification.points_awarded", cand.business_unit, {"points": points, "action": action}, cand.id)
        state["points"] += points
        while state["level"] < len(LEVELS) and state["points"] >= LEVELS[state["level"]][0]:
            state["level"] += 1
            self._emit(ts + 1, "gamification.level_reached", cand.business_unit,
                       {"level": state["level"], "level_name": LEVELS[state["level"] - 1][1]}, cand.id)

    def _achievement(self, cand: Candidate, ts: int, kind: str, state: dict) -> None:
        if kind in state["achievements"]:
            return
        state["achievements"].add(kind)
        self._emit(ts, "gamification.achievement_unlocked", cand.business_unit, {"achievement_type": kind}, cand.id)

    def _referral(self, cand: Candidate, ts: int, pool: list[str], state: dict) -> None:
        r = self.rng
        self.ids["ref"] += 1
        rid = f"ref_{self.ids['ref']:07d}"
        base = {"referral_id": rid, "referrer_id": cand.id, "referred_candidate_id": None,
                "reward_type": None, "reward_value": None}
        self._emit(ts, "referral.invited", cand.business_unit, base, cand.id)
        if r.random() < 0.24:
            referred = r.choice(pool)
            ts += r.randrange(DAY, 20 * DAY)
            self._emit(ts, "referral.converted", cand.business_unit, {**base, "referred_candidate_id": referred}, referred)
            reward = r.choice(list(RewardType))
            value = {RewardType.POINTS: 100.0, RewardType.GIFT_CARD: 500.0, RewardType.CASH_BONUS: 1500.0}[reward]
            self._emit(ts + 3600, "referral.reward_issued", cand.business_unit,
                       {**base, "referred_candidate_id": referred, "reward_type": reward.value, "reward_value": value}, cand.id)
            self._points(cand, ts + 3601, 100, "referral", state)
            self._achievement(cand, ts + 3602, "primer_referido", state)

    def proposals(self) -> None:
        r = self.rng
        for client in self.w.clients:
            for _ in range(r.randint(1, 5)):
                day = r.randrange(self.w.days)
                ts = self.w.ts(day, r.randrange(9 * 3600, 19 * 3600))
                amount = float(r.choice((35_000, 60_000, 120_000, 250_000, 480_000)))
                base = {"proposal_id": f"prp_{self._next('prp'):07d}", "client_id": client.id,
                        "amount": amount, "currency": "MXN"}
                self._emit(ts, "proposal.created", client.business_unit, base)
                if r.random() < 0.9:
                    ts += r.randrange(DAY, 6 * DAY)
                    self._emit(ts, "proposal.sent", client.business_unit, base)
                    if r.random() < 0.45:
                        self._emit(ts + r.randrange(2 * DAY, 25 * DAY), "proposal.signed", client.business_unit, base)

    # -- deliberately bad records ----------------------------------------------------------
    def _inject_bad_lines(self) -> None:
        r = self.rng
        n = max(6, self.seq // 400)  # ~0.25% of events
        kinds = ("malformed", "unknown_bu", "unknown_stage", "unknown_type", "missing_event_id", "missing_candidate",
                 "naive_timestamp", "duplicate")
        for i in range(n):
            kind = kinds[i % len(kinds)]
            day = r.randrange(1, self.w.days)
            ts = self.w.ts(day, r.randrange(DAY))
            self.seq += 1
            good = {"event_id": f"evt_{self.seq:09d}", "event_type": "workflow.stage_changed",
                    "occurred_at": datetime.fromtimestamp(ts, MX_TZ).isoformat(), "business_unit": "huntred",
                    "candidate_id": "cand_0000001", "campaign_id": None,
                    "payload": {"application_id": f"app_bad_{i}", "vacancy_id": "vac_000001", "from_stage": None,
                                "to_stage": "applied", "source_channel": "occ"}}
            reason = {"malformed": "malformed", "duplicate": "duplicate", "missing_event_id": "missing_field",
                      "missing_candidate": "missing_field", "naive_timestamp": "invalid_value"}.get(kind, "unknown_value")
            if kind == "malformed":
                line = orjson.dumps(good)[: r.randrange(20, 80)]  # a truncated write
            elif kind == "unknown_bu":
                line = orjson.dumps({**good, "business_unit": "huntRED Tech"})
            elif kind == "unknown_stage":
                line = orjson.dumps({**good, "payload": {**good["payload"], "to_stage": "ghosted"}})
            elif kind == "unknown_type":
                line = orjson.dumps({**good, "event_type": "workflow.teleported"})
            elif kind == "missing_event_id":
                line = orjson.dumps({k: v for k, v in good.items() if k != "event_id"})
            elif kind == "missing_candidate":
                line = orjson.dumps({**good, "candidate_id": None})
            elif kind == "naive_timestamp":
                line = orjson.dumps({**good, "occurred_at": good["occurred_at"][:19]})
            else:  # a redelivery of an event already delivered (at-least-once bus)
                if not self.good_lines:
                    continue
                src_day, line = r.choice(self.good_lines)
                day = min(self.w.days - 1, src_day + r.randint(0, 3))
                ts = self.w.end_ts  # redeliveries go at the end of the day's file
            self.files.add(day, ts, line)
            self.m.expect_quarantine(TABLE, reason)

    def finish(self) -> None:
        self._inject_bad_lines()
        self.m.files["ats_events"] += self.files.finish(lambda d: f"{self.w.date_of(d).isoformat()}.jsonl")
        for event_type, n in sorted(self.by_type.items()):
            self.m.notes[f"ats_events:{event_type}"] += n


def _poisson(r: random.Random, lam: float) -> int:
    # Knuth's method is fine for the small means used here.
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= r.random()
        if p <= limit:
            return k
        k += 1


def write_ats_events(world: World, out: Path, manifest: Manifest, progress=None) -> tuple[Counter, list[Hire]]:
    """Write the ATS events; return the applications per (campaign, channel, date) and the hires into client vacancies."""
    writer = AtsWriter(world, out, manifest)
    writer.publish()
    writer.proposals()
    ids = [c.id for c in world.candidates]
    for i, cand in enumerate(world.candidates):
        writer.candidate(cand, ids[i + 1: i + 400])
        if progress and i % 1000 == 0:
            progress(i / len(world.candidates))
    writer.finish()
    write_truth(out, VACANCIES, writer.vacancy_truth)
    return writer.applications, writer.hires
