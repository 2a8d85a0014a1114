"""Rule segments: bad rules get an error naming the rule; good rules select exactly the matching candidates."""
from __future__ import annotations

import pytest

from ml.aura.segments import SegmentRuleError, compile_rules, members, save_segment


@pytest.mark.parametrize("rules, rule, words", [
    ({"skils": ["Python"]}, "skils", "is not a rule"),
    ({"skills": ["Python", "Zorblax"]}, "skills", "'Zorblax' is not in the skills taxonomy"),
    ({"skills": []}, "skills", "non-empty list"),
    ({"experiencia": ">cinco"}, "experiencia", "is not a comparison"),
    ({"experiencia": "9-3"}, "experiencia", "starts above its end"),
    ({"experiencia": True}, "experiencia", "must be years"),
    ({"seniority": "guru"}, "seniority", "'guru' is not one of junior, mid, senior, executive"),
    ({"estado": "Texas"}, "estado", "'Texas' is not one of"),
    ({"idiomas": ["Klingon"]}, "idiomas", "not a language"),
    ({}, "rules", "is empty"),
    (["Python"], "rules", "must be a JSON object"),
    ({"skills": ["Python'); DROP TABLE ml.segments; --"]}, "skills", "is not in the skills taxonomy"),
])
def test_a_bad_rule_is_refused_with_the_rule_and_the_reason(rules, rule, words):
    with pytest.raises(SegmentRuleError) as caught:
        compile_rules(rules)
    assert caught.value.rule == rule
    assert words in str(caught.value)


def test_values_are_parameters_never_sql_text():
    compiled = compile_rules({"skills": ["Python", "ML"], "experiencia": ">5", "estado": "Nuevo León"})
    assert "Python" not in compiled.where and "5" not in compiled.where and "León" not in compiled.where
    assert compiled.params["p0"] == ["Python", "Machine Learning"]  # aliases resolved to canonical skills


def test_the_seed_example_selects_exactly_the_candidates_it_describes(writer):
    rules = {"skills": ["Python", "ML"], "experiencia": ">5"}  # seed 3.2, verbatim
    found = set(members(writer, compile_rules(rules))["candidate_id"])
    profiles = writer.sql("SELECT candidate_id, skills, years_experience FROM ml.candidate_profiles").fetchall()
    expected = {cid for cid, skills, years in profiles
                if {"Python", "Machine Learning"} <= set(skills) and years is not None and years > 5}
    assert found == expected
    broad = set(members(writer, compile_rules({"skills_any": ["Python", "SQL"], "experiencia": "0-40"}))["candidate_id"])
    assert found <= broad and len(broad) > len(found)


def test_saving_a_segment_stores_its_rules_and_members_and_replaces_by_name(writer):
    first = save_segment(writer, "Bilingües de CDMX", {"idiomas": ["Inglés"], "estado": "Ciudad de México"}, "huntred")
    again = save_segment(writer, "Bilingües de CDMX", {"idiomas": ["Inglés"], "estado": ["Ciudad de México", "Jalisco"]}, "huntred")
    assert first["segment_id"] == again["segment_id"] and again["members"] >= first["members"] > 0
    stored = writer.sql("SELECT members, business_unit FROM ml.segments WHERE segment_id = $s",
                        params={"s": again["segment_id"]}).fetchall()
    assert stored == [(again["members"], "huntred")]
    assert writer.sql("SELECT count(*) FROM ml.segment_members WHERE segment_id = $s",
                      params={"s": again["segment_id"]}).fetchall()[0][0] == again["members"]
    with pytest.raises(SegmentRuleError, match="not a business unit"):
        save_segment(writer, "x", {"skills": ["SQL"]}, "huntred_tech")


def test_the_pipeline_created_the_default_segments(ml_lakehouse):
    import duckdb

    con = duckdb.connect(str(ml_lakehouse / "lakehouse.duckdb"), read_only=True)
    try:
        names = {n for (n,) in con.sql("SELECT name FROM ml.segments").fetchall()}
    finally:
        con.close()
    assert "Senior Data Science" in names and len(names) >= 4
