"""Scraped SmartRecruiters batches: the candidate list, and each CV with its text extracted."""
from __future__ import annotations

import hashlib
from pathlib import PurePosixPath

import orjson
import polars as pl
from pydantic import ValidationError

from foundation.documents import CV_FORMATS, NoTextLayer, extract_text
from ingest.errors import explain
from ingest.types import ParsedFile
from models.enums import QuarantineReason as R
from models.scraped import ScrapedBatch, ScrapedCandidate

CANDIDATES, CVS = "scraped_candidates", "scraped_cvs"


def parse_candidates_file(data: bytes) -> ParsedFile:
    parsed = ParsedFile()
    try:
        batch = ScrapedBatch.model_validate_json(data)
    except ValidationError as exc:
        _, reason = explain(exc)
        parsed.records_read = 1
        parsed.reject(CANDIDATES, R.MALFORMED, f"The file is not a SmartRecruiters candidate page: {reason}", data[:100_000], 1)
        return parsed
    rows: dict[str, list] = {k: [] for k in ("candidate_id", "email", "created_on", "job_id", "status", "candidate_json",
                                             "_record_number", "_content_hash")}
    for number, item in enumerate(batch.content, start=1):
        parsed.records_read += 1
        raw = orjson.dumps(item)
        try:
            cand = ScrapedCandidate.model_validate(item)
        except ValidationError as exc:
            code, reason = explain(exc)
            parsed.reject(CANDIDATES, code, reason, raw, number)
            continue
        rows["candidate_id"].append(cand.id)
        rows["email"].append(str(cand.email))
        rows["created_on"].append(cand.createdOn.isoformat())
        rows["job_id"].append(cand.primaryAssignment.job.id if cand.primaryAssignment else None)
        rows["status"].append(cand.primaryAssignment.status if cand.primaryAssignment else None)
        rows["candidate_json"].append(raw.decode())
        rows["_record_number"].append(number)
        rows["_content_hash"].append(hashlib.sha256(raw).hexdigest())
    parsed.good[CANDIDATES] = pl.DataFrame(rows, schema={k: (pl.Int64 if k == "_record_number" else pl.String) for k in rows})
    return parsed


def parse_cv_file(data: bytes, relative_path: str) -> ParsedFile:
    parsed = ParsedFile(records_read=1)
    path = PurePosixPath(relative_path)
    fmt = CV_FORMATS.get(path.suffix.lower())
    preview = f"{relative_path} ({len(data)} bytes)"
    if fmt is None:
        parsed.reject(CVS, R.UNKNOWN_VALUE, f"{path.name}: CV format '{path.suffix}' is not supported (PDF, DOCX or TXT).", preview, 1)
        return parsed
    try:
        text = extract_text(data, fmt).strip()
    except NoTextLayer as exc:
        parsed.reject(CVS, R.NO_TEXT_LAYER, f"{path.name} cannot be read: {exc}; send a PDF with text or the original document.", preview, 1)
        return parsed
    except Exception as exc:  # pypdf/python-docx raise many types; the message is what matters
        parsed.reject(CVS, R.MALFORMED, f"{path.name} could not be read as {fmt.upper()}: {type(exc).__name__}: {exc}"[:500], preview, 1)
        return parsed
    if not text:
        parsed.reject(CVS, R.INVALID_VALUE, f"{path.name} has no extractable text (a scanned image?).", preview, 1)
        return parsed
    parsed.good[CVS] = pl.DataFrame({
        "candidate_id": [path.stem], "file_name": [path.name], "file_format": [fmt],
        "file_sha256": [hashlib.sha256(data).hexdigest()], "file_bytes": [len(data)], "cv_text": [text],
        "_record_number": [1], "_content_hash": [hashlib.sha256(data).hexdigest()],
    })
    return parsed
