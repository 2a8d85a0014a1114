"""Scraped SmartRecruiters batches: the candidate list, and each CV with its text extracted."""
from __future__ import annotations

import hashlib
import io
import logging
import re
from pathlib import PurePosixPath

import docx
import orjson
import polars as pl
from pydantic import ValidationError
from pypdf import PdfReader

from ingest.errors import explain
from ingest.types import ParsedFile
from models.enums import QuarantineReason as R
from models.scraped import ScrapedBatch, ScrapedCandidate

CANDIDATES, CVS = "scraped_candidates", "scraped_cvs"
# pypdf logs every oddity of a broken file as a warning; the quarantine reason already says it
logging.getLogger("pypdf").setLevel(logging.ERROR)
CV_FORMATS = {".pdf": "pdf", ".docx": "docx", ".txt": "txt"}


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


class NoTextLayer(ValueError):
    """A PDF whose pages carry no text (a scan or a photo): there is nothing to read without OCR."""


def extract_text(data: bytes, fmt: str) -> str:
    """Plain text of a CV; raises ValueError with the library's reason when it cannot be read."""
    if fmt == "pdf":
        return pdf_text(data)
    if fmt == "docx":
        return docx_text(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # older exports; every byte maps to a character


# A word longer than this is almost never real in a CV; many of them mean the extractor lost the spaces.
_GLUED_WORD = re.compile(r"[^\W\d_]{16,}")
_UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")  # pdfminer's marker for a glyph with no character (icons, ligatures)


def looks_glued(text: str) -> bool:
    """True when spaces were lost: pypdf reads some PDFs as "CreatedRESTfulapis", "July2018"."""
    words = text.split()
    return bool(words) and len(_GLUED_WORD.findall(text)) / len(words) > 0.02


def pdf_text(data: bytes) -> str:
    """pypdf first (fast); a layout-aware read (pdfplumber, from the characters' positions) when pypdf's words are glued."""
    reader = PdfReader(io.BytesIO(data), strict=False)
    pages = [page.extract_text() or "" for page in reader.pages]
    text = "\n".join(pages)
    if looks_glued(text):
        import pdfplumber  # lazy: only glued PDFs pay for its import

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            laid_out = "\n".join(_UNMAPPED_GLYPH.sub("", page.extract_text(x_tolerance=1.5) or "") for page in pdf.pages)
        if len(laid_out.split()) > len(text.split()):
            text = laid_out
    if not text.strip() and reader.pages:
        raise NoTextLayer(f"its {len(reader.pages)} page(s) carry no text layer (a scan or a photo?)")
    return text


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _paragraph_text(p) -> str:
    """A paragraph's own runs; a text box anchored in it is read as paragraphs of its own."""
    own = (node for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br") if _owned_by(node, p))
    return "".join((n.text or "") if n.tag == f"{_W}t" else "\t" if n.tag == f"{_W}tab" else "\n" for n in own)


def _owned_by(node, p) -> bool:
    for ancestor in node.iterancestors():
        if ancestor is p:
            return True
        if ancestor.tag in (f"{_W}txbxContent", _FALLBACK):
            return False
    return False


def _block_lines(element) -> list[str]:
    """Lines of a body, cell, header or text box in reading order: a table row is one line, its cells joined by ' | '."""
    lines: list[str] = []
    for child in element.iterchildren():
        if child.tag == f"{_W}p":
            lines.append(_paragraph_text(child))
            for box in child.iter(f"{_W}txbxContent"):  # text boxes; the legacy copy under mc:Fallback is skipped
                if not any(a.tag == _FALLBACK for a in box.iterancestors()):
                    lines.extend(_block_lines(box))
        elif child.tag == f"{_W}tbl":
            for row in child.iter(f"{_W}tr"):
                if any(a.tag == f"{_W}tbl" for a in row.iterancestors() if a is not child):
                    continue  # a nested table's rows are read inside its cell
                cells = ["\n".join(l for l in _block_lines(tc) if l.strip()) for tc in row.iterchildren(f"{_W}tc")]
                cells = [c for c in cells if c.strip()]
                if len(cells) == 1 or any("\n" in c for c in cells):
                    for c in cells:
                        lines.extend(c.splitlines())
                elif cells:
                    lines.append(" | ".join(cells))
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):  # content controls wrap paragraphs
            lines.extend(_block_lines(child))
    return lines


def docx_text(data: bytes) -> str:
    """Every word a reader sees: body paragraphs and tables in order, text boxes, and the page headers and footers.

    python-docx's ``Document.paragraphs`` skips tables, and many CVs put Skills and Education in one.
    """
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    seen_parts: set[str] = set()
    for section in document.sections:
        for part in (section.header, section.first_page_header):
            if not part.is_linked_to_previous and part._element is not None:
                key = part.part.partname if part.part is not None else ""
                if key not in seen_parts:
                    seen_parts.add(key)
                    lines.extend(_block_lines(part._element))
    lines.extend(_block_lines(document.element.body))
    for section in document.sections:
        part = section.footer
        if not part.is_linked_to_previous and part.part is not None and part.part.partname not in seen_parts:
            seen_parts.add(part.part.partname)
            lines.extend(_block_lines(part._element))
    return "\n".join(lines)


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
