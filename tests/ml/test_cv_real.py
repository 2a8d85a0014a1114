"""The CV analyzer on the team's real, licensed résumés (evaluation/resumes: 17 people, 21 files, PDF, DOCX and
text, English and Spanish), scored against hand labels written without running the analyzer.

The issue's targets (skills precision ≥ 0.90 and recall ≥ 0.85, years within ±1 for ≥ 75%, education ≥ 80%) are
asserted where they are met; where they are not yet, the floor is the figure reached (README "CV analyzer on real
résumés"), so a change that loses ground fails here. Margins allow one or two CVs of 21 to move.
"""
from __future__ import annotations

import pytest

from tests.ml.real_set import labels, profile_of, score, skill_key

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def real():
    return score()


def test_the_set_is_real_labelled_and_licensed():
    items = labels()
    assert len(items) >= 20 and {i.language for i in items} == {"en", "es"}
    assert {i.file.rsplit(".", 1)[1] for i in items} == {"pdf", "docx", "txt"}
    from tests.ml.real_set import RESUMES

    for item in items:
        assert (RESUMES / item.file).exists()
    import json

    for raw in json.loads((RESUMES / "labels.json").read_text(encoding="utf-8")):
        assert (RESUMES / raw["licence_file"]).exists(), raw["file"]


def test_education_meets_its_target_and_languages_are_read(real):
    assert real.education_accuracy >= 0.80  # target met
    assert real.language_accuracy >= 0.85


def test_skills_hold_the_ground_reached(real):
    # targets 0.90 / 0.85 not met yet: recall is bounded by labels naming skills in prose ("parallel algorithms")
    assert real.skill_precision >= 0.85 and real.skill_recall >= 0.56


def test_years_meet_their_target(real):
    assert real.years_within >= 0.75  # within ±1 year of the label for 16 of 21


def test_names_of_projects_clubs_and_companies_are_rarely_taken_for_skills():
    taken = total = 0
    for item in labels():
        got = {skill_key(s) for s in profile_of(item).skills}
        taken += sum(skill_key(n) in got for n in item.not_skills)
        total += len(item.not_skills)
    assert total > 300 and taken / total <= 0.05


def test_a_docx_reads_as_well_as_the_text_it_was_made_from():
    by_file = {row["file"]: row for row in score().per_cv}
    for name in by_file:
        if name.endswith(".docx"):
            twin = by_file[name.replace(".docx", ".txt")]
            assert by_file[name]["tp"] >= twin["tp"] - 1 and by_file[name]["education"] == twin["education"], name
