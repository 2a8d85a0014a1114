"""What a posting's text asks for: the phrasings of real postings (evaluation/jobs) and of the generator."""
from __future__ import annotations

import pytest

from ml.analyzers.vacancy import required_years, vacancy_skills


@pytest.mark.parametrize("text,years", [
    ("REQUISITOS Más de 2 años de experiencia en desarrollo de Salesforce", 2),
    ("EXPERIENCIA ACREDITABLE DE AL MENOS 3 AÑOS EN HERRAMIENTAS DE MARKETING DIGITAL", 3),
    ("Valorables: - Experiencia: de 1 a 3 años en puesto similar.", 1),
    ("Imprescindibles: - Dos años de experiencia -Titulación de Grado", 2),
    ("Experiencia mínima de cinco años en el área logística", 5),
    ("What we are looking for: - 2-3 years of experience in the ESDC environment", 2),
    ("Requirements: 5+ years of experience and strong SQL", 5),
    ("Requisitos: 4+ años de experiencia y dominio de Excel", 4),  # the generator's own wording
    ("3 years of Python experience; 6+ years of professional experience overall", 6),  # the overall minimum
])
def test_the_years_a_posting_asks_for(text, years):
    assert required_years(text) == years


@pytest.mark.parametrize("text", [
    "This role is a 2-year term position and is classified as an IS-04",  # a contract's length
    "Con una trayectoria de más de 60 años en el sector, nuestros ascensores",  # the company's age
    "Tener cumplidos dieciocho años, lo que se acreditará mediante fotocopia",  # the candidate's age
    "Requisitos: sin años previos de experiencia",
    "Travel may be required up to 10%-20% per year",
    "Ofrecemos experiencia internacional; la empresa tiene 25 años en el mercado",
])
def test_years_that_are_not_a_requirement_of_experience(text):
    assert required_years(text) is None


def test_skills_of_a_posting_are_canonical_so_both_languages_meet():
    spanish = vacancy_skills("Contador", "Buscamos contador con contabilidad, Excel y nómina.")
    english = vacancy_skills("Accountant", "We need an accountant with accounting, Excel and payroll.")
    assert {"Contabilidad", "Excel", "Nómina"} <= set(spanish) and set(spanish) == set(english)


def test_listed_skills_come_first_and_each_once():
    found = vacancy_skills("Data analyst", "SQL, Python y Excel", required=["sql", "Power BI"])
    assert found[:2] == ["SQL", "Power BI"] and found.count("SQL") == 1 and "Python" in found
