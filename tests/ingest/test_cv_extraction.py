"""CV text extraction reads every word a person sees: DOCX tables, text boxes and headers; PDFs whose spaces a
simple reader loses; and a scan is quarantined with its reason instead of becoming an empty profile."""
from __future__ import annotations

import io

import docx
from fpdf import FPDF
from pypdf import PdfReader

from foundation.documents import docx_text, looks_glued, pdf_text
from ingest.scraped import parse_cv_file
from tests.ml.real_set import RESUMES

TEXT_BOX = """<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
  xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
  xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
  xmlns:v="urn:schemas-microsoft-com:vml"><w:r><mc:AlternateContent>
  <mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>Idiomas: Inglés avanzado</w:t></w:r></w:p>
  </w:txbxContent></wps:txbx></w:drawing></mc:Choice>
  <mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>Idiomas: Inglés avanzado</w:t></w:r></w:p></w:txbxContent>
  </v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"""


def _docx() -> bytes:
    from docx.oxml import parse_xml

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Ana Ruiz · ana@example.com · Monterrey"
    document.add_paragraph("Experiencia")
    document.add_paragraph("Analista de datos, Banorte (2019-03 - actual)")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Habilidades", "Python, SQL, Tableau"
    table.cell(1, 0).text, table.cell(1, 1).text = "Educación", "Licenciatura en Actuaría, UANL"
    document.element.body.append(parse_xml(TEXT_BOX))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_gives_its_tables_text_boxes_and_header_once_each_in_reading_order():
    text = docx_text(_docx())
    lines = text.splitlines()
    assert lines[0] == "Ana Ruiz · ana@example.com · Monterrey"  # the page header
    assert "Habilidades | Python, SQL, Tableau" in lines and "Educación | Licenciatura en Actuaría, UANL" in lines
    assert lines.index("Experiencia") < lines.index("Habilidades | Python, SQL, Tableau")
    assert text.count("Idiomas: Inglés avanzado") == 1  # the text box, not its legacy copy too
    # python-docx's own paragraphs lose all of it: what the product used to read
    plain = "\n".join(p.text for p in docx.Document(io.BytesIO(_docx())).paragraphs)
    assert "Tableau" not in plain and "Monterrey" not in plain


def test_the_analyzer_reads_a_docx_whose_skills_and_education_sit_in_a_table():
    from ml.analyzers.cv import analyze_cv

    profile = analyze_cv(docx_text(_docx()))
    assert {"Python", "SQL", "Tableau"} <= set(profile.skills)
    assert profile.education_level == "Licenciatura"
    assert profile.languages == [{"language": "English", "level": "advanced"}]


def test_a_pdf_without_a_text_layer_is_quarantined_as_such():
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a page of graphics only: what a scan looks like to a text reader
    parsed = parse_cv_file(bytes(pdf.output()), "scraped_candidates/b/cvs/scan.pdf")
    assert not parsed.good
    assert parsed.rejected[0].reason_code == "no_text_layer"
    assert "no text layer" in parsed.rejected[0].reason and "scan.pdf" in parsed.rejected[0].reason


def test_a_pdf_whose_spaces_pypdf_loses_is_read_from_its_layout():
    data = (RESUMES / "en_guest_cv.pdf").read_bytes()  # a real CV (CC-BY-4.0, see evaluation/resumes)
    simple = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    assert looks_glued(simple)
    text = pdf_text(data)
    assert not looks_glued(text) and len(text.split()) > 2 * len(simple.split())
    assert "University College London" in text


def test_a_cleanly_extracted_pdf_keeps_the_fast_reader():
    for name in ("en_deedy_resume_openfont.pdf", "es_hugo19941994_cv.pdf"):
        data = (RESUMES / name).read_bytes()
        simple = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
        assert not looks_glued(simple) and pdf_text(data) == simple
