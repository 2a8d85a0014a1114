"""The one place that reads the environment.

Everything the platform writes lives under ``HUNTRED_WAREHOUSE_DIR`` (default:
``warehouse/`` in the repository), so tests and users relocate the whole
lakehouse with one variable. It is owner-only (see ``keep_private``).
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from foundation.errors import UserError

REPO_ROOT = Path(__file__).resolve().parent.parent
#: the engines dbt builds the models with (transforms/profiles.yml has one output for each)
ENGINES = ("duckdb", "spark")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HUNTRED_", env_file=REPO_ROOT / ".env", env_file_encoding="utf-8", extra="ignore"
    )

    warehouse_dir: Path = REPO_ROOT / "warehouse"
    #: Stripe signs webhooks with it; ``make demo`` generates a sample one into ``.env``.
    stripe_webhook_secret: SecretStr | None = None
    #: A Stripe secret or restricted key (read access is enough) for `huntred pull stripe`; never in the repository.
    stripe_api_key: SecretStr | None = None
    #: Where the Stripe API answers (a proxy, or the tests' fake); the SDK's own default otherwise.
    stripe_api_base: str = "https://api.stripe.com"
    #: Retries of a request that failed on the network or with a 5xx (the SDK's backoff); a 429 waits its Retry-After.
    stripe_max_network_retries: int = 3
    #: Serving snapshots kept besides the current one (readers may still hold them open).
    snapshots_kept: int = 2
    #: Dashboard users (scrypt hashes only); default: users.json in the warehouse.
    users_file: Path | None = None
    #: API keys (SHA-256 of their secrets only); default: api_keys.json in the warehouse.
    api_keys_file: Path | None = None
    #: Keys the pseudonyms of emails, phones and names; ``huntred init`` generates one into ``.env``.
    pseudonym_key: SecretStr | None = None
    #: Signs dashboard session tokens (so a reload stays signed in); ``huntred init`` generates one into ``.env``.
    session_key: SecretStr | None = None
    #: How long a dashboard session lasts after sign-in (a working day); then the user signs in again.
    session_seconds: int = 8 * 3600
    #: API answers kept per snapshot (LRU); 0 turns the cache off (the benchmark measures both).
    api_cache_entries: int = 20_000
    #: Seconds a dashboard download stays on Streamlit's media endpoint after the click that made it.
    download_expiry_seconds: float = 30.0
    #: The team's real evaluation set (résumés, postings, relevance grades): the matcher is judged on it before
    #: promotion. Point it at a set of your own recruiters' grades with the same layout (see its README).
    real_set_dir: Path = REPO_ROOT / "evaluation"
    #: How texts are embedded: fp32 (the packaged model), bf16 (its bfloat16 autocast), int8 (an ONNX copy exported
    #: on this machine), or auto: the fastest that `huntred ml embeddings qualify` found ≥ 2x as fast as fp32 with every
    #: vector at cosine ≥ 0.99 to fp32, else fp32.
    embedding_backend: str = "auto"  # checked where it is used, so a typo gets one sentence (active_encoder)
    #: An MLflow server (http://...) instead of the local sqlite store under the warehouse.
    mlflow_tracking_uri: str | None = None
    #: Show the libraries' own output during runs (warnings, progress bars) instead of sending it to the run's log
    #: file; `huntred --verbose` sets it.
    verbose: bool = False
    #: Which engine builds the dbt models: duckdb (in the warehouse file) or spark (a local Spark session by
    #: default, from the lake's Parquet files; docs/scale-out.md). Checked where it is used (require_engine).
    engine: str = "duckdb"

    @property
    def landing_dir(self) -> Path:
        return self.warehouse_dir / "landing"

    @property
    def lake_dir(self) -> Path:
        """The open lake: raw and ML tables as Parquet, and the tables Spark builds (foundation/lake.py)."""
        return self.warehouse_dir / "lake"

    def require_engine(self) -> str:
        if self.engine not in ENGINES:
            raise UserError(f"HUNTRED_ENGINE is {self.engine!r}, which is no engine this platform builds with.",
                            f"Set it to one of {', '.join(ENGINES)} (or leave it unset for duckdb).")
        return self.engine

    @property
    def db_path(self) -> Path:
        return self.warehouse_dir / "lakehouse.duckdb"

    @property
    def serving_dir(self) -> Path:
        return self.warehouse_dir / "serving"

    @property
    def dagster_storage_dir(self) -> Path:
        return self.warehouse_dir / "dagster"

    @property
    def users_path(self) -> Path:
        return self.users_file or self.warehouse_dir / "users.json"

    @property
    def api_keys_path(self) -> Path:
        return self.api_keys_file or self.warehouse_dir / "api_keys.json"

    @property
    def revoked_sessions_path(self) -> Path:
        return self.warehouse_dir / "revoked_sessions.json"

    @property
    def audit_dir(self) -> Path:
        return self.warehouse_dir / "audit"

    def require_pseudonym_key(self) -> str:
        if self.pseudonym_key is None or not self.pseudonym_key.get_secret_value():

            raise UserError("No pseudonymization key is configured.",
                            "Set HUNTRED_PSEUDONYM_KEY (run `huntred init` to generate one into .env).")
        return self.pseudonym_key.get_secret_value()

    @property
    def mlflow_dir(self) -> Path:
        return self.warehouse_dir / "mlflow"

    @property
    def models_dir(self) -> Path:
        """Models built on this machine (the int8 embedding export and its qualification)."""
        return self.warehouse_dir / "models"

    @property
    def tracking_uri(self) -> str:
        return self.mlflow_tracking_uri or f"sqlite:///{self.mlflow_dir / 'mlflow.db'}"

    @property
    def writer_lock_path(self) -> Path:
        return self.warehouse_dir / ".writer.lock"

    def require_stripe_api_key(self) -> str:
        if self.stripe_api_key is None or not self.stripe_api_key.get_secret_value():
            raise UserError("No Stripe API key is configured.",
                            "Set HUNTRED_STRIPE_API_KEY to a secret or restricted key with read access (in .env, "
                            "never in the repository).")
        return self.stripe_api_key.get_secret_value()

    def require_webhook_secret(self) -> str:
        if self.stripe_webhook_secret is None or not self.stripe_webhook_secret.get_secret_value():

            raise UserError(
                "No Stripe webhook secret is configured.",
                "Set HUNTRED_STRIPE_WEBHOOK_SECRET (run `huntred init` to generate a sample one into .env).",
            )
        return self.stripe_webhook_secret.get_secret_value()


#: Files created from now on: 0600, folders 0700 (the process umask; what this process starts inherits it).
PRIVATE_UMASK = 0o077


def keep_private(warehouse_dir: Path) -> None:
    """Make everything this process writes owner-only, and the warehouse folder itself 0700.

    The warehouse holds clear emails, phones and names (the DuckDB files, landed files, audit logs),
    and the umask a process starts with is usually 022: readable by every local user. Setting the
    umask here, rather than a chmod after each write, also covers what other code writes for us:
    DuckDB's files and WAL, dbt, Dagster's storage and compute logs, MLflow's store, run logs. The
    folder's own mode is fixed too, for one an older version created 0755: nobody else can then
    enter it, whatever the modes of files already inside.
    """
    os.umask(PRIVATE_UMASK)
    try:
        if warehouse_dir.is_dir() and warehouse_dir.stat().st_uid == os.getuid():
            warehouse_dir.chmod(0o700)
    except OSError:  # not ours to change (a folder shared on purpose): its owner decides
        pass


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    # Every entry point (CLI, API, dashboard, Dagster, tests) reads the settings before it writes under
    # the warehouse, so this is the one place that makes the warehouse private.
    settings = Settings()
    keep_private(settings.warehouse_dir)
    return settings
