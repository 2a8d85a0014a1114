"""Groups for the adverse-impact check of matching.

huntRED's sources carry no self-declared gender, so the check estimates it from
common Mexican first names (``unknown`` otherwise). It is an audit aid to spot a
ranking that surfaces one group less, never a feature of any model.
"""
from __future__ import annotations

from ml.analyzers.taxonomy import fold

_FEMALE = {fold(n) for n in (
    "María", "Guadalupe", "Fernanda", "Ana", "Sofía", "Valeria", "Daniela", "Ximena", "Andrea", "Camila", "Paola",
    "Mariana", "Regina", "Lucía", "Renata", "Natalia", "Gabriela", "Itzel", "Karla", "Yolanda", "Laura", "Alejandra",
    "Verónica", "Patricia", "Adriana", "Claudia", "Elena", "Isabel", "Carmen", "Rosa", "Diana", "Mónica", "Leticia")}
_MALE = {fold(n) for n in (
    "José", "Juan", "Luis", "Carlos", "Miguel", "Jorge", "Alejandro", "Ricardo", "Eduardo", "Francisco", "Diego",
    "Roberto", "Héctor", "Arturo", "Iván", "Óscar", "Emilio", "Jesús", "Raúl", "Andrés", "Fernando", "Javier",
    "Manuel", "Pedro", "Sergio", "Alberto", "Antonio", "Rafael", "Daniel", "Pablo", "Mario", "Víctor", "Enrique")}


def gender_of_first_name(first_name: str | None) -> str:
    name = fold((first_name or "").split(" ")[0])
    return "female" if name in _FEMALE else "male" if name in _MALE else "unknown"
