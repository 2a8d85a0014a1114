"""Plain text of the documents people bring (CVs as PDF, DOCX or text), the same for ingestion and evaluation.

Ingestion quarantines what cannot be read (``NoTextLayer``, a broken file); the ML real-set evaluation reads the
team's licensed résumés through the very same functions, so its figures are those of the product's path.
"""
from __future__ import annotations

import io
import logging
import re

import docx
from pypdf import PdfReader

# pypdf logs every oddity of a broken file as a warning; the quarantine reason already says it
logging.getLogger("pypdf").setLevel(logging.ERROR)
CV_FORMATS = {".pdf": "pdf", ".docx": "docx", ".txt": "txt"}


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
