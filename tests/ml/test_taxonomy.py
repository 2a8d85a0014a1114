"""The skills taxonomy: huntRED's curated layer on top of ESCO, and how names are found in a CV's text."""
from __future__ import annotations

from ml.analyzers import esco
from ml.analyzers.taxonomy import load_taxonomy
from tests.conftest import REPO, need_fixture

ESCO_EXPORT = REPO.parent / "shared" / "fixtures" / "esco"


def test_the_shipped_esco_extract_is_what_the_export_gives_and_carries_its_attribution():
    need_fixture(ESCO_EXPORT / "skills_es.csv")
    assert esco.build(ESCO_EXPORT) == esco.load()  # no hand edits, nothing stale
    extract = esco.load()
    assert len(extract["concepts"]) == 13_485 and "European Union" in extract["attribution"]
    notice = esco.EXTRACT_PATH.with_suffix("").with_suffix(".NOTICE").read_text(encoding="utf-8")
    assert "2011/833/EU" in notice and "esco.ec.europa.eu" in notice


def test_esco_gives_spanish_and_english_names_one_label_and_the_curated_layer_wins():
    taxonomy = load_taxonomy()
    esco_labels = {c["en"]: c["es"] for c in esco.load()["concepts"]}
    assert esco_labels["accounting"] == "contabilidad"  # both layers name it: the curated label stands
    assert taxonomy.canonical("contabilidad") == taxonomy.canonical("Accounting") == "Contabilidad"
    # an ESCO-only skill: its Spanish and English preferred labels are one skill
    concept = next(c for c in esco.load()["concepts"] if c["en"] == "recruit employees")
    assert taxonomy.canonical(concept["es"]) == taxonomy.canonical("recruit employees") is not None
    assert taxonomy.canonical("MySQL") == "MySQL" and taxonomy.canonical("Haskell") == "Haskell"


def test_names_are_whole_words_joined_by_slashes_and_case_kept_where_a_name_is_also_a_word():
    find = lambda text, **kw: {label for label, _ in load_taxonomy().find(text, **kw)}  # noqa: E731
    assert find("HTML/CSS y C/C++") >= {"HTML", "CSS", "C++"}
    assert "Excel" not in find("Excelente comunicación")
    assert find("styles in LESS") >= {"LESS"} and "LESS" not in find("less code, more tests")
    # names too ambiguous for prose are read only inside a skills list
    assert not {"C", "R", "Go", "Spring Boot"} & find("Go to plan C in Spring 2019 with R. Smith")
    assert find("C, R, Go, Spring", listed=True) >= {"C", "R", "Go", "Spring Boot"}
    # ...or in prose where the words around make them tools, in either language
    for prose, tool in (("coauthored 63 R packages", "R"), ("Tidy data analysis using R, Max", "R"),
                        ("creación de paquetes conda de bibliotecas en R (anaconda)", "R"),
                        ("firmware written in C for the board", "C"), ("Services Written In Go", "Go"),
                        ("experiencia en programación en C y ensamblador", "C")):
        assert tool in find(prose), prose
    for prose in ("In R&D since 2010", "we moved in Go-to-market", "started in Spring 2019", "with R. Smith",
                  "and R Hyndman (1997)", "in C.V. format", "met with R Hyndman", "experience with C suite",
                  "Graduated in Spring, 2019"):
        assert not {"C", "R", "Go", "Spring Boot"} & find(prose), prose
    # ESCO's capitalised single words are not tools in prose whatever the words around
    assert not find("Taught workshops in Chinese; worked in Assembly with Unity partners; research in Islam")
    assert find("Git, Angular, TensorFlow, Tableau, JIRA") == {"Git", "Angular", "TensorFlow", "Tableau", "Jira"}


def test_a_title_names_its_tools_not_its_trades():
    tools = lambda text: {label for label, _ in load_taxonomy().find_tools(text)}  # noqa: E731
    assert tools("Supervised Learning with scikit-learn") == {"scikit-learn"}
    assert "Hadoop" in tools("Intro to Hadoop and MapReduce")
    assert tools("Tax Accounting") == set() and tools("Recruitment Strategy Workshop") == set()
