"""Data contracts shared by ingestion, dbt, the API and the tests.

Every source record and every published table has exactly one definition here.
Ingestion validates against these models, the dbt sources/staging YAML must agree
with them (``tests/models/test_contracts_match_dbt.py`` proves it), and the API
returns them.
"""
