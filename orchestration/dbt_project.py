"""The dbt project, in its own module so the manifest can be prepared before definitions load.

`make prepare` (and the tests' session fixture) runs ``dbt parse`` to write
``transforms/target/manifest.json``; ``prepare_if_dev`` re-parses under ``dagster dev``.
"""
import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from foundation.settings import REPO_ROOT

# prepare_if_dev looks for `dbt` on PATH: from a plain shell (`make dagster`, or .venv/bin/dagster without an activated
# venv) it is not there, and the code location failed to load. The dbt installed beside this interpreter is the one.
if shutil.which("dbt") is None:
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

huntred_dbt = DbtProject(project_dir=REPO_ROOT / "transforms", profiles_dir=REPO_ROOT / "transforms")
huntred_dbt.prepare_if_dev()
