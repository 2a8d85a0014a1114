"""Scraped SmartRecruiters candidates: ``scraped_candidates/batch_NNNN/candidates.json`` + ``cvs/``.

Each batch is what one scraping session leaves: the candidate list page in
SmartRecruiters' shape and one CV per candidate (PDF, DOCX or plain text; Spanish
or English). ``ground_truth/cv_skills.jsonl`` (outside the landing zone's source
folders) records which skills each CV really lists, for the CV analyzer's
precision/recall.
"""
from __future__ import annotations

import io
import uuid
import zipfile
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import orjson
from fpdf import FPDF

from models.ground_truth import CV_SKILLS, write_truth
from sample_data import calibration as cal
from sample_data.manifest import Manifest
from sample_data.world import DAY, MX_TZ, World, _ascii, rng_for, weighted_picker

BATCH_SIZE = 250
FIXED_TIME = datetime(2026, 1, 1, tzinfo=MX_TZ)  # document metadata dates: fixed so bytes are reproducible
SR_STATUS_WEIGHTS = {"NEW": 30, "IN_REVIEW": 25, "INTERVIEW": 15, "OFFERED": 5, "HIRED": 5, "REJECTED": 18, "WITHDRAWN": 2}
CONTENT_TYPE = {"pdf": "application/pdf", "txt": "text/plain",
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
LABELS = {
    "es": {"summary": "Perfil profesional", "exp": "Experiencia", "edu": "Educación", "skills": "Habilidades",
           "langs": "Idiomas", "years": "{n} años de experiencia como {role}.", "present": "actual",
           "lang_list": "Español (nativo), Inglés ({lvl})", "used": "Proyectos diarios con {skill}."},
    "en": {"summary": "Professional summary", "exp": "Experience", "edu": "Education", "skills": "Skills",
           "langs": "Languages", "years": "{n} years of experience as {role}.", "present": "present",
           "lang_list": "Spanish (native), English ({lvl})", "used": "Daily projects with {skill}."},
}


def _cv_lines(c: dict, lang: str) -> list[tuple[str, str]]:
    """The CV as (style, text) lines; style is 'h1', 'h2' or 'p'."""
    L = LABELS[lang]
    lines = [("h1", f"{c['firstName']} {c['lastName']}"),
             ("p", f"{c['email']} · {c['phone']} · {c['location']['city']}, {c['location']['region']}"),
             ("h2", L["summary"]), ("p", L["years"].format(n=c["_years"], role=c["_role"]))]
    lines.append(("h2", L["exp"]))
    for e in c["experience"]:
        lines.append(("p", f"{e['title']} - {e['company']} ({e['start']} - {e['end'] or L['present']})"))
    if c["_skill_spellings"]:  # the main skill, said in passing as real CVs do
        lines.append(("p", L["used"].format(skill=c["_skill_spellings"][0])))
    lines.append(("h2", L["edu"]))
    for e in c["education"]:
        lines.append(("p", f"{e['degree']}, {e['institution']} ({e['end']})"))
    lines += [("h2", L["skills"]), ("p", ", ".join(c["_skill_spellings"])), ("h2", L["langs"]), ("p", L["lang_list"].format(lvl=c["_english"]))]
    return lines


def render_pdf(lines: list[tuple[str, str]]) -> bytes:
    pdf = FPDF()
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_producer("huntRED sample generator")
    pdf.add_page()
    for style, text in lines:
        pdf.set_font("Helvetica", "B" if style != "p" else "", {"h1": 16, "h2": 12, "p": 10}[style])
        # core PDF fonts are latin-1: accents survive, emoji and the middle dot become plain text
        pdf.multi_cell(0, 6, text.replace("·", "|").encode("latin-1", "replace").decode("latin-1"))
        pdf.ln(1)
    return bytes(pdf.output())


_DOCX_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_DOCX_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def render_docx(lines: list[tuple[str, str]]) -> bytes:
    """A minimal, valid WordprocessingML package (what python-docx and Word open)."""
    paras = []
    for style, text in lines:
        bold = "<w:rPr><w:b/></w:rPr>" if style != "p" else ""
        paras.append(f'<w:p><w:r>{bold}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>')
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           f'<w:body>{"".join(paras)}</w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", _DOCX_CT), ("_rels/.rels", _DOCX_RELS), ("word/document.xml", doc)):
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


def write_scraped(world: World, out: Path, manifest: Manifest) -> None:
    r = rng_for(world.seed, "scraped")
    n = max(20, round(2_000 * world.scale))
    pick_state = weighted_picker(r, cal.STATES, [s[1] for s in cal.STATES])
    spell = rng_for(world.seed, "cv-spelling")  # its own stream: the rest of the sample is unchanged
    pick_status = weighted_picker(r, list(SR_STATUS_WEIGHTS), list(SR_STATUS_WEIGHTS.values()))
    truth = []
    batches: list[list[tuple[dict, bytes | None]]] = [[] for _ in range((n + BATCH_SIZE - 1) // BATCH_SIZE)]
    for i in range(n):
        role_i = r.randrange(len(cal.ROLES))
        role = cal.ROLES[role_i]
        lang = "en" if r.random() < 0.25 else "es"
        first, last = r.choice(cal.FIRST_NAMES), r.choice(cal.LAST_NAMES)
        state, _, _, cities = pick_state()
        years = min(30, int(r.expovariate(1 / 7)) + 1)
        skills = r.sample(role[3], k=min(len(role[3]), r.randint(2, len(role[3]))))
        created = world.ts(r.randrange(world.days), r.randrange(DAY))
        cid = str(uuid.UUID(int=r.getrandbits(128), version=4))
        edu_i = r.choices(range(len(cal.EDUCATION_LEVELS)), weights=[e[2] for e in cal.EDUCATION_LEVELS])[0]
        end_year = 2026 - years
        jobs = []
        y = 2026
        for j in range(r.randint(1, 3)):
            start = y - r.randint(1, max(1, years // 2 + 1))
            jobs.append({"title": role[2 if lang == "en" else 1], "company": r.choice(cal.COMPANIES),
                         "start": f"{start}-{r.randint(1, 12):02d}", "end": None if j == 0 else f"{y}-{r.randint(1, 12):02d}",
                         "current": j == 0, "description": ""})
            y = start
        cand = {
            "id": cid, "firstName": first, "lastName": last,
            "email": f"{_ascii(first).lower()}.{_ascii(last).lower()}{r.randrange(1000)}@{r.choice(cal.EMAIL_DOMAINS)}",
            "phone": f"+52 {r.choice(('55', '33', '81'))} {r.randrange(1000, 9999)} {r.randrange(1000, 9999)}",
            "location": {"city": r.choice(cities), "region": state, "country": "mx"},
            "primaryAssignment": {"job": {"id": f"sr-job-{role_i:03d}", "title": role[2 if lang == "en" else 1]},
                                  "status": pick_status()},
            "experience": jobs,
            "education": [{"institution": r.choice(cal.UNIVERSITIES), "degree": cal.EDUCATION_LEVELS[edu_i][0 if lang == "es" else 1],
                           "major": role[0], "start": str(end_year - 4), "end": str(end_year)}],
            "tags": sorted(r.sample(("remoto", "bilingüe", "reubicación", "inmediato", "senior", "junior", role[0]), 2)),
            "createdOn": datetime.fromtimestamp(created, MX_TZ).isoformat(),
        }
        fmt = r.choices(("pdf", "docx", "txt"), weights=(45, 35, 20))[0]
        english = r.choice(("básico", "intermedio", "avanzado") if lang == "es" else ("basic", "intermediate", "advanced"))
        spellings = [s if spell.random() < 0.6 else spell.choice(cal.SKILL_VARIANTS.get(s, (s,))) for s in skills]
        lines = _cv_lines({**cand, "_skill_spellings": spellings, "_years": years, "_role": role[2 if lang == "en" else 1], "_skills": skills, "_english": english}, lang)
        blob = {"pdf": render_pdf, "docx": render_docx}.get(fmt, lambda ls: "\n".join(t for _, t in ls).encode("utf-8") + b"\n")(lines)
        cand["resume"] = {"fileName": f"cvs/{cid}.{fmt}", "contentType": CONTENT_TYPE[fmt]}
        truth.append({"candidate_id": cid, "skills": skills, "years_experience": years, "language": lang,
                      "education": cal.EDUCATION_LEVELS[edu_i][0], "role_family": role[0], "role_index": role_i,
                      "state": state, "city": cand["location"]["city"]})
        batches[i // BATCH_SIZE].append((cand, blob))
        manifest.expect_raw("scraped_candidates")
        manifest.expect_raw("scraped_cvs")
    _inject_bad(r, batches, manifest)
    for b, batch in enumerate(batches, start=1):
        folder = out / "scraped_candidates" / f"batch_{b:04d}"
        (folder / "cvs").mkdir(parents=True, exist_ok=True)
        for cand, blob in batch:
            if blob is not None and cand.get("resume"):
                (folder / cand["resume"]["fileName"]).write_bytes(blob)
                manifest.files["scraped_candidates"] += 1
        page = {"totalFound": n, "offset": (b - 1) * BATCH_SIZE, "limit": BATCH_SIZE, "content": [c for c, _ in batch]}
        (folder / "candidates.json").write_bytes(orjson.dumps(page, option=orjson.OPT_INDENT_2))
        manifest.files["scraped_candidates"] += 1
    write_truth(out, CV_SKILLS, truth)


def _inject_bad(r, batches, manifest: Manifest) -> None:
    """A few records a real scrape produces: broken fields, unreadable CVs, re-scraped people."""
    n = max(5, sum(len(b) for b in batches) // 150)
    for i in range(n):
        b = r.randrange(len(batches))
        cand, blob = r.choice(batches[b])
        kind = ("missing_id", "bad_email", "corrupt_pdf", "rescraped", "naive_date")[i % 5]
        bad = orjson.loads(orjson.dumps(cand))
        if kind == "rescraped":
            if b + 1 >= len(batches):
                continue  # re-scrapes show up in a later batch
            batches[b + 1].append((bad, blob))  # same person, same CV bytes: the CV file is skipped as already seen
            manifest.expect_quarantine("scraped_candidates", "duplicate")
            continue
        bad["id"] = "" if kind == "missing_id" else str(uuid.UUID(int=r.getrandbits(128), version=4))
        bad_blob = None
        if kind == "bad_email":
            bad["email"] = bad["email"].replace("@", " at ")
            reason = "invalid_value"
        elif kind == "naive_date":
            bad["createdOn"] = bad["createdOn"][:19]
            reason = "invalid_value"
        elif kind == "missing_id":
            reason = "missing_field"
        else:
            reason = None
            bad["resume"] = {"fileName": f"cvs/{bad['id']}.pdf", "contentType": "application/pdf"}
            bad_blob = b"%PDF-1.4\n" + bytes(r.getrandbits(8) for _ in range(600))  # a truncated download
            manifest.expect_raw("scraped_candidates")
            manifest.expect_quarantine("scraped_cvs", "malformed")
        if reason:
            bad.pop("resume", None)
            manifest.expect_quarantine("scraped_candidates", reason)
        batches[b].append((bad, bad_blob))
