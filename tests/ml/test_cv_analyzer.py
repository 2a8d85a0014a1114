"""The CV analyzer reads Spanish and English CVs, and its skill extraction is measured against ground truth."""
from __future__ import annotations

from datetime import date

import orjson

from ml.analyzers.cv import analyze_cv, skill_extraction_score
from ml.analyzers.cv_sections import split_sections
from ml.analyzers.taxonomy import find_place, fold, load_taxonomy

SPANISH_CV = """Lucía Ramírez
lucia.ramirez@gmail.com · +52 81 5555 1234 · Monterrey, Nuevo León
Perfil profesional
Excelente comunicación; 7 años de experiencia como Científica de Datos.
Experiencia
Científica de Datos - Kavak (2022-01 - actual)
Proyectos diarios con PySpark y Postgres.
Educación
Maestría en Ciencia de Datos, ITAM (2018)
Habilidades
Python, ML, Estadística
Idiomas
Español (nativo), Inglés (avanzado)
"""

ENGLISH_CV = """John Pérez
john@outlook.com | Guadalajara
Professional summary
Finance leader.
Experience
Chief Financial Officer - Mabe (2015-03 - present)
Controller - FEMSA (2009-01 - 2015-02)
Education
Bachelor's degree, UdeG (2008)
Skills
Corporate Finance, FP&A, Accounting, Leadership
Languages
Spanish (native), English (advanced)
"""


def test_a_spanish_cv_gives_skills_aliases_included_and_every_field():
    profile = analyze_cv(SPANISH_CV)
    # "ML" and "PySpark" and "Postgres" are aliases; "Excelente" must not read as Excel; "Inglés" is a language here
    assert set(profile.skills) == {"Python", "Machine Learning", "Estadística", "Spark", "PostgreSQL"}
    assert profile.skill_confidence["Python"] == 1.0 and profile.skill_confidence["Spark"] < 1.0  # listed vs mentioned
    assert profile.years_experience == 7 and profile.seniority == "mid"
    assert profile.education_level == "Maestría"
    assert {"language": "English", "level": "advanced"} in profile.languages
    assert (profile.state, profile.city) == ("Nuevo León", "Monterrey")
    assert profile.confidence == 1.0


def test_an_english_cv_maps_to_the_same_canonical_skills_and_infers_what_it_does_not_state():
    profile = analyze_cv(ENGLISH_CV, as_of=date(2026, 11, 1))
    assert set(profile.skills) == {"Finanzas Corporativas", "Planeación Financiera", "Contabilidad", "Liderazgo"}
    assert profile.years_experience == round((2026 * 12 + 11 - (2009 * 12 + 1) + 1) / 12, 1)  # 2009-01 .. 2026-11, from the dates
    assert profile.field_confidence["years_experience"] < 1.0
    assert profile.seniority == "executive"  # a Chief title outranks the years
    assert profile.education_level == "Licenciatura"
    assert profile.state == "Jalisco"
    assert profile.confidence < 1.0


def test_years_are_counted_to_the_cvs_own_date_never_to_a_fixed_day():
    cv = "Experience\nAnalyst - Bimbo (2019-03 - present)\nEducation\nLicenciatura, UNAM"
    assert analyze_cv(cv, as_of=date(2021, 2, 28)).years_experience == 2.0
    assert analyze_cv(cv, as_of=date(2024, 2, 28)).years_experience == 5.0
    # no date given: the newest date the CV mentions stands for it
    dated = cv + "\nCurso de Excel, 2023-08"
    assert analyze_cv(dated).as_of == "2023-08-28" and analyze_cv(dated).years_experience == round(54 / 12, 1)


def test_a_text_that_is_not_a_cv_gets_low_confidence_and_no_invented_fields():
    profile = analyze_cv("lorem ipsum dolor sit amet")
    assert profile.skills == [] and profile.years_experience is None and profile.state is None
    assert profile.education_level is None
    assert profile.confidence < 0.2  # only the language it is written in is inferred


def test_sections_places_and_taxonomy_helpers():
    assert set(split_sections(SPANISH_CV)) == {"header", "summary", "experience", "education", "skills", "languages"}
    assert find_place("Trabajo en Zapopan") == ("Jalisco", "Zapopan")
    taxonomy = load_taxonomy()
    assert taxonomy.canonical("machine learning") == taxonomy.canonical("ML") == "Machine Learning"
    assert taxonomy.canonical("COBOL") == "COBOL"  # ESCO's layer knows what the curated one does not
    assert taxonomy.canonical("Zorblax") is None


def test_precision_and_recall_are_micro_averaged():
    score = skill_extraction_score({"a": ["Python", "SQL", "Excel"], "b": []}, {"a": ["Python", "SQL"], "b": ["Java"]})
    assert (score.true_positives, score.predicted, score.actual) == (2, 3, 3)
    assert score.precision == round(2 / 3, 4) and score.recall == round(2 / 3, 4)


def test_the_pipeline_ran_the_analyzers_and_recorded_them(ml_lakehouse):
    import duckdb

    con = duckdb.connect(str(ml_lakehouse / "lakehouse.duckdb"), read_only=True)
    try:
        names = [n for (n,) in con.sql("SELECT name FROM ml.analyzers ORDER BY analyzer_id").fetchall()]
        assert names == ["cv", "skill_market", "salary_ranges", "talent_quality"]
        metrics = orjson.loads(con.sql("SELECT metrics_json FROM ml.analyzer_runs WHERE analyzer_id = 1").fetchall()[0][0])
        cvs = con.sql("SELECT count(*) FROM staging.stg_scraped__cvs").fetchall()[0][0]
        profiles = con.sql("SELECT count(*) FROM ml.candidate_profiles").fetchall()[0][0]
        results = con.sql("SELECT count(*) FROM ml.analyzer_results WHERE analyzer_id = 1").fetchall()[0][0]
        salaries = con.sql("SELECT count(*) FROM ml.analyzer_results WHERE analyzer_id = 3 AND score > 0").fetchall()[0][0]
    finally:
        con.close()
    assert profiles == results == cvs > 100
    truth = [orjson.loads(l) for l in (ml_lakehouse / "landing" / "ground_truth" / "cv_skills.jsonl").read_bytes().splitlines()]
    assert metrics["evaluated_cvs"] == cvs and len(truth) >= cvs
    # CVs spell skills in Spanish, English or by alias (generator); the taxonomy must read them all
    assert metrics["skill_precision"] >= 0.95 and metrics["skill_recall"] >= 0.95
    assert salaries > 0


def test_docs_list_every_feature_and_analyzer():
    from ml.analyzers.runs import ANALYZERS
    from ml.churn.clients import FEATURES as CLIENT_FEATURES
    from ml.churn.features import FEATURES
    from ml.families import FAMILIES
    from tests.conftest import REPO

    doc = (REPO / "docs" / "ml.md").read_text(encoding="utf-8")
    for name, meaning in {**FEATURES, **CLIENT_FEATURES}.items():
        assert f"| `{name}` | {meaning} |" in doc, name
    for name in ANALYZERS:
        assert f"| `{name}` |" in doc, name
    for family in FAMILIES.values():
        assert f"`{family.model_name}`" in doc, family.name


def test_a_tool_list_written_in_prose_counts_its_unknown_tools_when_a_third_are_known():
    from ml.analyzers.cv import analyze_cv

    cv = ("Experiencia\n2016–2018 Científico de datos, Independiente. Utilización de herramientas del stack científico, "
          "como: scipy, numpy, numba, pandas, matplotlib, bokeh, etc; despliegue de MapServer.\n"
          "2019–2020 Viajes por Oaxaca, Puebla, Chiapas, Veracruz y Yucatán.\n")
    skills = {s.casefold() for s in analyze_cv(cv).skills}
    assert {"scipy", "numba", "matplotlib", "bokeh", "numpy", "pandas"} <= skills
    assert not skills & {"oaxaca", "puebla", "chiapas", "veracruz", "yucatán", "etc"}  # a list of places, none known


def test_a_languages_row_of_programming_languages_is_read_as_skills_and_spoken_ones_stay_languages():
    cv = ("Skills\nLanguages: Python, SQL, HTML, CSS, Three.js\nIdiomas\nInglés\nAvanzado (B2 Cambridge)\n"
          "Español: nativo\n")
    profile = analyze_cv(cv)
    assert {"Python", "SQL", "HTML", "CSS"} <= set(profile.skills)
    assert {lang["language"] for lang in profile.languages} == {"English", "Spanish"}
    assert not {fold(s) for s in profile.skills} & {"avanzado", "b2 cambridge", "nativo", "ingles"}
    # a mixed row gives its skills away and keeps its language; certificates and unknown words stay languages
    mixed = analyze_cv("Idiomas\nLanguages: English, Python, SQL\nTOEFL iBT 105\nLectura, escritura\nCertificate: IELTS 7.5\n")
    assert {"Python", "SQL"} <= set(mixed.skills) and "English" in {lang["language"] for lang in mixed.languages}
    assert not {fold(s) for s in mixed.skills} & {"toefl ibt 105", "lectura", "escritura", "ielts 7.5"}


def test_a_skills_row_ending_in_a_level_is_not_read_as_a_category():
    from ml.analyzers.cv import listed_skills

    assert listed_skills("Python, SQL, Tableau, Power BI, Excel: advanced")[:4] == ["Python", "SQL", "Tableau", "Power BI"]
    assert listed_skills("Simulación y Diseño de Sistemas: Simulink, Proteus") == ["Simulink", "Proteus"]


def test_qualified_skills_headings_and_long_category_labels_open_a_skills_list():
    cv = ("Experiencia\nIngeniera de control, Ferreyros (2021-01 - 2023-06)\nCompetencias Digitales\n"
          "• Simulación y Diseño de Sistemas: Simulink, Proteus\n• Protocolos CAN: CANbus, CANopen, J1939\n"
          "Habilidades Personales\n• Adaptabilidad\n")
    assert "skills" in split_sections(cv) and "Simulink" in split_sections(cv)["skills"]
    skills = {fold(s) for s in analyze_cv(cv).skills}
    assert {"simulink", "proteus", "canbus", "canopen", "j1939"} <= skills
    assert not any("sistemas" in s for s in skills)  # the category label is not an item


def test_course_and_project_titles_give_the_tools_they_name_and_nothing_else():
    cv = ("Cursos\nParallel Computing with Dask. DataCamp (2018)\nSupervised Learning with scikit-learn. DataCamp (2018)\n"
          "Proyectos\nTax Accounting Dashboard\n")
    skills = set(analyze_cv(cv).skills)
    assert "scikit-learn" in skills
    assert not skills & {"Contabilidad", "Impuestos"}


def test_a_dated_heading_line_gives_its_tools_but_not_its_employer_place_or_title():
    cv = ("Experience\n"
          "Software Intern, Phoenix Integration, Virginia, C++, C#, and Java development    2012\n"
          "1998 Visiting Professor, Department of Statistics, Colorado State University\n"
          "2016–2018 Data scientist. Tools: scipy, numpy, numba, pandas, bokeh\n")
    skills = {s.casefold() for s in analyze_cv(cv).skills}
    assert {"c++", "java"} <= skills
    assert not skills & {"phoenix integration", "virginia", "software intern", "colorado state university"}
    # the date heads the job, not the list written after it: that list still counts its unknown tools
    assert {"numba", "bokeh"} <= skills
    # a versioned product is no date heading: the run's unknown tools still count
    versioned = {s.casefold() for s in analyze_cv("Experience\nData engineer at Acme\n"
                                                   "Stack used daily: Python, SQL Server 2019, Dagster, Airbyte, Polars\n").skills}
    assert {"dagster", "airbyte", "polars"} <= versioned
    dated_last = {s.casefold() for s in analyze_cv("Experience\nSoftware Engineer, Globex, Mountain View, Python, June 2018\n").skills}
    assert "python" in dated_last and not dated_last & {"globex", "mountain view", "software engineer"}


def test_list_items_that_are_organisations_links_or_pieces_of_sentences_are_not_skills():
    from ml.analyzers.cv import is_nameable, listed_skills

    for not_a_name in ("Colorado State University", "Universidad de Guadalajara", "YouTube Captions team",
                       "Departamento de Física", "compcog.science", "redistrict.science", "que ofrece", "to",
                       "mi carrera informática", "propio", "Acme S.A.", "2019", "EXAMPLE.COM", "example.net"):
        assert not is_nameable(not_a_name), not_a_name
    for name in ("Node.js", "ASP.NET", "asp.net", "vb.net", "Three.js", "Power BI", "Terraform", "Control de versiones",
                 "Trabajo en equipo", "Team Foundation Server", "Team management", "Microsoft Teams", "SA-CCR"):
        assert is_nameable(name), name
    # a parenthesis a line leaves open is a qualifier, not an item: the name before it stays whole
    assert listed_skills("Photoshop, Web design (e.g., Bootstrap,\nHTML, CSS") == ["Photoshop", "Web design", "HTML", "CSS"]
