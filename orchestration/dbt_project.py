"""The dbt project, in its own module so the manifest can be prepared before definitions load.

`make prepare` (and the tests' session fixture) runs ``dbt parse`` to write
``transforms/target/manifest.json``; ``prepare_if_dev`` re-parses under ``dagster dev``.
"""
from dagster_dbt import DbtProject

from huntred.settings import REPO_ROOT

huntred_dbt = DbtProject(project_dir=REPO_ROOT / "transforms", profiles_dir=REPO_ROOT / "transforms")
huntred_dbt.prepare_if_dev()
