"""Bring your own table: the churn model's machinery (calibrated LightGBM vs logistic regression, the same metrics,
plots and promotion gate) trained on a CSV or Parquet file with one row per customer and a churn label.

Steps, each a small function: read the file; turn the label into 0/1 and say which value counts as churn; decide
what each other column is (a number, a category, or dropped and why); split the rows (stratified, or by time so
the test rows are later than every training row); fit the encodings and both models on the training rows only;
judge them on the test rows; register in an MLflow experiment of the table's own; score every row.

What a column *is* (number, category, free text) is read from the whole table: it is the table's shape, not
something learned from its labels. What a model learns from a column (its categories, medians, scales) is fitted
on the training rows only, and a category it never saw there is unknown to it, not an error.
"""
from __future__ import annotations

import hashlib
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from foundation.errors import UserError
from ml import tracking
from ml.churn import model as churn
from ml.evaluation import classification_metrics

log = logging.getLogger(__name__)

MIN_ROWS = 50  # fewer labelled rows leave a test set too small to judge a model by
#: a string column with more distinct values than this (or than half the rows) is free text or an identifier
MAX_LEVELS = 50
SPLIT = (0.6, 0.2, 0.2)  # train / validation (calibration) / test
SEED = 7
MISSING = "(missing)"  # the category of an empty cell: that a value is absent can itself say something
PARTS = ("train", "validation", "test")
REQUIREMENTS = ("scikit-learn", "lightgbm", "numpy", "pandas")

#: words that say a label value is churn, or that it is not (a value of several words is read word by word)
CHURN_WORDS = {"yes", "y", "true", "t", "1", "churn", "churned", "churner", "left", "lost", "cancelled", "canceled",
               "cancel", "exited", "exit", "attrited", "inactive", "positive"}
STAY_WORDS = {"no", "n", "false", "f", "0", "not", "non", "never", "stayed", "stay", "retained", "active", "existing",
              "current", "kept", "remained", "negative"}


# -- reading ----------------------------------------------------------------------------------------------------------
def read_table(path: Path) -> pl.DataFrame:
    """A CSV or Parquet file as a frame; CSV columns keep what they hold (a column of numbers with a blank stays text
    here and is read as numbers by `plan_columns`)."""
    if not path.is_file():
        raise UserError(f"The table {path} does not exist.", "Give the path of a .csv or .parquet file.")
    kind = path.suffix.lower()
    if kind not in (".csv", ".parquet"):
        raise UserError(f"{path.name} is neither a CSV nor a Parquet file.", "Give a .csv or .parquet file.")
    try:
        if kind == ".parquet":
            return pl.read_parquet(path)
        return pl.read_csv(path, infer_schema_length=None)
    except (pl.exceptions.PolarsError, OSError) as exc:
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{path.name} could not be read as {kind[1:].upper()} ({first}).",
                        "Check that the file is complete and in that format.") from None


# -- the label --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LabelCoding:
    column: str
    positive: str  # the value read as churn (1), as written in the table
    negative: str  # the other value (0)
    how: str  # why that value is the positive one


def _shown(values) -> str:
    return " and ".join(f"'{v}'" for v in values)


def code_label(values: pl.Series, positive: str | None = None) -> tuple[pl.Series, LabelCoding]:
    """The label as 0/1 (null where the cell is empty) from booleans, 0/1 numbers or two words, and which value is
    churn: True, 1, the word that says so (Yes, churned, …), or the value given as `positive`."""
    name = values.name
    if values.dtype == pl.Boolean:
        _two_classes(name, sorted(values.drop_nulls().unique().to_list()))
        return _coded(values.cast(pl.Int8), LabelCoding(name, "true", "false", "true is churn"), positive)
    if values.dtype.is_numeric():
        distinct = sorted(values.drop_nulls().drop_nans().unique().to_list() if values.dtype.is_float()
                          else values.drop_nulls().unique().to_list())
        _two_classes(name, distinct)
        if not set(distinct) <= {0, 1}:
            numbers = " and ".join(f"{v:g}" for v in distinct)
            raise UserError(f"Label column '{name}' holds the numbers {numbers}; a numeric label must be 0 and 1.",
                            "Recode it to 0/1 (1 = churned) or to two words such as Yes/No.")
        return _coded(values.cast(pl.Int8, strict=False), LabelCoding(name, "1", "0", "1 is churn"), positive)
    if values.dtype not in (pl.String, pl.Categorical) and not isinstance(values.dtype, pl.Enum):
        raise UserError(f"Label column '{name}' holds {values.dtype} values, not a yes/no answer.",
                        "Give a column of booleans, 0/1 or two words such as Yes/No.")
    text = values.cast(pl.String).str.strip_chars().replace("", None)  # a blank cell is no label
    distinct = sorted(text.drop_nulls().unique().to_list())
    _two_classes(name, distinct)
    if positive is not None:
        if positive not in distinct:
            raise UserError(f"--positive '{positive}' is not a value of label column '{name}' (it holds {_shown(distinct)}).",
                            "Give one of those values, written exactly as in the table.")
        chosen, how = positive, "given by --positive"
    else:
        chosen = _churn_value(name, distinct)
        how = "the word that says churn"
    other = next(v for v in distinct if v != chosen)
    coded = pl.when(text.is_null()).then(None).otherwise((text == chosen).cast(pl.Int8))
    return pl.select(coded.alias(name)).to_series(), LabelCoding(name, chosen, other, how)


def _coded(coded: pl.Series, coding: LabelCoding, positive: str | None) -> tuple[pl.Series, LabelCoding]:
    if positive is not None and positive.strip().lower() not in {coding.positive, "1", "true", "yes"}:
        raise UserError(f"--positive '{positive}' cannot turn label column '{coding.column}' around: {coding.how}.",
                        "Leave --positive out, or recode the column so that churn is 1 (or True).")
    return coded, coding


def _two_classes(name: str, distinct: list) -> None:
    if not distinct:
        raise UserError(f"Label column '{name}' is empty.", "Fill it with who churned (e.g. Yes/No or 1/0).")
    if len(distinct) == 1:
        raise UserError(f"Label column '{name}' holds one value only ('{distinct[0]}'), so there is nothing to learn.",
                        "Churn needs rows of customers who churned and of customers who stayed.")
    if len(distinct) > 2:
        shown = ", ".join(f"'{v}'" for v in distinct[:5]) + (", …" if len(distinct) > 5 else "")
        raise UserError(f"Label column '{name}' holds {len(distinct)} distinct values ({shown}); a churn label has two.",
                        "Recode it to two values (e.g. Yes/No) first, or give the right column with --label.")


def _says(value: str) -> str | None:
    words = set(re.findall(r"[a-z0-9]+", value.lower()))
    if words & STAY_WORDS:  # first: 'not churned', 'no churn' say the customer stayed
        return "stay"
    return "churn" if words & CHURN_WORDS else None


def _churn_value(name: str, distinct: list[str]) -> str:
    said = {v: _says(v) for v in distinct}
    churn_ = [v for v in distinct if said[v] == "churn"]
    stay = [v for v in distinct if said[v] == "stay"]
    if len(churn_) == 1 and len(stay) != 2:
        return churn_[0]
    if len(stay) == 1 and not churn_:
        return next(v for v in distinct if v != stay[0])
    raise UserError(f"Label column '{name}' holds {_shown(distinct)}, and neither word says which one is churn.",
                    f"Say which with --positive, e.g. --positive '{distinct[0]}'.")


# -- the columns ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Feature:
    name: str
    kind: str  # 'numeric' or 'categorical'
    note: str  # what the table holds, e.g. '11 blanks read as missing', '3 categories'
    from_text: bool = False  # numbers written as text (parsed by `features`)


@dataclass(frozen=True)
class ColumnPlan:
    numeric: list[Feature]
    categorical: list[Feature]
    dropped: dict[str, str]  # column -> why it is not a feature

    @property
    def names(self) -> list[str]:
        """The model's input columns, in order: numbers first, then categories."""
        return [f.name for f in (*self.numeric, *self.categorical)]

    @property
    def all(self) -> list[Feature]:
        return [*self.numeric, *self.categorical]


def plan_columns(table: pl.DataFrame, reserved: list[str]) -> ColumnPlan:
    """What each column but the `reserved` ones (label, id, time) is: a number (numbers written as text too, blanks
    read as missing), a category (text or booleans with at most MAX_LEVELS values), or dropped with the reason."""
    numeric, categorical, dropped = [], [], {}
    for name in table.columns:
        if name in reserved:
            continue
        values = table[name]
        present = values.drop_nulls()
        if values.dtype.is_numeric():
            if present.n_unique() <= 1:
                dropped[name] = "empty" if present.is_empty() else "one value only"
            else:
                missing = values.null_count() + (int(values.is_nan().sum()) if values.dtype.is_float() else 0)
                numeric.append(Feature(name, "numeric", f"{missing:,} missing" if missing else ""))
            continue
        if values.dtype == pl.Boolean:
            values = values.cast(pl.String)
        elif values.dtype.is_temporal():
            dropped[name] = "a date or time (give it as --time-column to split by it)"
            continue
        elif values.dtype not in (pl.String, pl.Categorical) and not isinstance(values.dtype, pl.Enum):
            dropped[name] = f"{values.dtype} values are not a feature"
            continue
        text = values.cast(pl.String).str.strip_chars()
        filled = text.replace("", None).drop_nulls()
        if filled.is_empty():
            dropped[name] = "empty"
            continue
        if filled.cast(pl.Float64, strict=False).null_count() == 0 and filled.n_unique() > 1:
            blanks = int((text == "").sum())
            numeric.append(Feature(name, "numeric", f"numbers written as text, {blanks:,} blanks read as missing"
                                   if blanks else "numbers written as text", from_text=True))
            continue
        levels = filled.n_unique()
        if levels <= 1:
            dropped[name] = "one value only"
        elif levels > MAX_LEVELS or levels > table.height / 2:
            dropped[name] = f"{levels:,} distinct values: free text or an identifier"
        else:
            categorical.append(Feature(name, "categorical", f"{levels} categories"))
    if not numeric and not categorical:
        why = "; ".join(f"'{c}': {r}" for c, r in dropped.items()) or "there is none"
        raise UserError(f"The table has no usable feature column besides {', '.join(repr(c) for c in reserved)} ({why}).",
                        "Add columns of numbers or of categories (at most "
                        f"{MAX_LEVELS} distinct values) that describe each customer.")
    return ColumnPlan(numeric, categorical, dropped)


def features(table: pl.DataFrame, plan: ColumnPlan):
    """The feature columns as both models read them (pandas, which scikit-learn passes through by name): numbers as
    floats (text parsed, blanks missing), categories as text with an empty cell as its own category. Row by row,
    nothing fitted: the same for training, test and scoring."""
    columns = [pl.col(f.name).cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False) if f.from_text
               else pl.col(f.name).cast(pl.Float64) for f in plan.numeric]
    columns += [pl.col(f.name).cast(pl.String).str.strip_chars().replace("", None).fill_null(MISSING)
                for f in plan.categorical]
    return table.select(columns).to_pandas()


# -- the split --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Split:
    parts: np.ndarray  # per labelled row: 'train', 'validation' or 'test'
    how: str  # in words, for the summary
    boundaries: dict[str, str] = field(default_factory=dict)  # time split: first and last time of each part


def split_stratified(y: np.ndarray, seed: int = SEED) -> Split:
    """60/20/20 within each class, shuffled with a fixed seed: every part has the table's churn rate."""
    parts = np.empty(y.size, dtype=object)
    rng = np.random.default_rng(seed)
    for cls in (0, 1):
        rows = rng.permutation(np.flatnonzero(y == cls))
        first, second = round(SPLIT[0] * rows.size), round((SPLIT[0] + SPLIT[1]) * rows.size)
        parts[rows[:first]], parts[rows[first:second]], parts[rows[second:]] = PARTS
    return Split(parts, f"stratified {_percentages()} (seed {seed})")


def split_by_time(times: pl.Series) -> Split:
    """The earliest 60% of rows train, the next 20% calibrate, the latest 20% test. A boundary falls between two
    different times, so rows of the same time stay together and every test row is later than every training row."""
    ordered = times.sort()
    n = ordered.len()
    start_validation, start_test = ordered[math.ceil(SPLIT[0] * n)], ordered[math.ceil((SPLIT[0] + SPLIT[1]) * n)]
    parts = np.where((times < start_validation).to_numpy(), "train",
                     np.where((times < start_test).to_numpy(), "validation", "test")).astype(object)
    boundaries = {}
    for part in PARTS:
        mine = times.filter(pl.Series(parts == part))
        if mine.is_empty():
            raise UserError(f"Column '{times.name}' has too few distinct times to split the rows into earlier, "
                            "middle and later ones.", "Give a time column with more distinct values, or leave "
                            "--time-column out for a stratified split.")
        boundaries[f"{part}_first"], boundaries[f"{part}_last"] = str(mine.min()), str(mine.max())
    how = (f"by '{times.name}': train {boundaries['train_first']} to {boundaries['train_last']}, calibrate "
           f"{boundaries['validation_first']} to {boundaries['validation_last']}, test {boundaries['test_first']} to "
           f"{boundaries['test_last']}")
    return Split(parts, how, boundaries)


def read_times(values: pl.Series) -> pl.Series:
    """A time column as something ordered: dates, datetimes and numbers as they are, text parsed as dates/times."""
    if values.dtype.is_temporal() or values.dtype.is_numeric():
        return values
    if values.dtype != pl.String:
        raise UserError(f"Time column '{values.name}' holds {values.dtype} values, not times.",
                        "Give a column of dates, date-times or numbers that grow with time (e.g. a month index).")
    text = values.str.strip_chars().replace("", None)
    as_dates = text.str.to_date(strict=False)  # dates stay dates (no midnight appended to every boundary)
    parsed = as_dates if as_dates.null_count() == text.null_count() else text.str.to_datetime(strict=False)
    bad = text.filter(parsed.is_null() & text.is_not_null())
    if not bad.is_empty():
        raise UserError(f"Time column '{values.name}' holds values that are not dates or times, e.g. '{bad[0]}'.",
                        "Write them as YYYY-MM-DD (or YYYY-MM-DD HH:MM:SS), or give another column.")
    return parsed


def _percentages() -> str:
    return "/".join(str(round(100 * s)) for s in SPLIT)


# -- the models -------------------------------------------------------------------------------------------------------
def lightgbm_encoding(plan: ColumnPlan):
    """Numbers as they are (LightGBM handles missing ones); each category an integer code LightGBM splits on as a
    category. A category not seen in the training rows gets no code: LightGBM treats it as missing."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OrdinalEncoder

    return ColumnTransformer(
        [("numeric", "passthrough", [f.name for f in plan.numeric]),
         ("categorical", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan),
          [f.name for f in plan.categorical])],
        verbose_feature_names_out=False).set_output(transform="pandas")


def logistic_encoding(plan: ColumnPlan):
    """Missing numbers as the training rows' median; each category a 0/1 column of its own (one-hot); a category
    not seen in the training rows is all zeros."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder

    return ColumnTransformer(
        [("numeric", SimpleImputer(strategy="median"), [f.name for f in plan.numeric]),
         ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False), [f.name for f in plan.categorical])])


@dataclass
class Fitted:
    model: object  # calibrated LightGBM, its encoding inside
    baseline: object  # logistic regression, its encoding inside


def fit(x_train, y_train: np.ndarray, x_validation, y_validation: np.ndarray, plan: ColumnPlan,
        params: dict | None = None) -> Fitted:
    """Both models through the churn model's own fitting code; every encoding is fitted on the training rows only
    (it is a step of the model it serves, fitted with it), the calibration on the validation rows."""
    params = {**churn.DEFAULT_PARAMS, **(params or {})}
    model = churn.fit_calibrated_lightgbm(x_train, y_train, x_validation, y_validation, params,
                                          prepare=lightgbm_encoding(plan), categorical=[f.name for f in plan.categorical])
    return Fitted(model, churn.fit_logistic(x_train, y_train, prepare=logistic_encoding(plan)))


def probabilities(model, x) -> np.ndarray:
    return model.predict_proba(x)[:, 1]


def reasons(model, x, plan: ColumnPlan, top: int = 3) -> list[list[dict]]:
    """Per row, the columns pushing its churn probability up most (LightGBM's TreeSHAP contributions, log-odds), each
    as a sentence 'column: value', as the candidate model's reasons."""
    encoding = _encoding(model)
    codes = encoding.transform(x)
    contrib = churn.inner_booster(model).booster_.predict(codes.to_numpy(dtype=float), pred_contrib=True)[:, :-1]
    names, raw = plan.names, x[plan.names].to_numpy(dtype=object)
    known = {f.name: set(levels) for f, levels in zip(plan.categorical, _categories(encoding))}
    out = []
    for row, values in zip(contrib, raw):
        order = np.argsort(-row)[:top]
        out.append([{"feature": names[i], "value": _plain(values[i]), "contribution": round(float(row[i]), 4),
                     "reason": _sentence(names[i], values[i], known.get(names[i]))} for i in order if row[i] > 0])
    return out


def _encoding(model):
    est = model.calibrated_classifiers_[0].estimator
    return getattr(est, "estimator", est).steps[0][1]


def _categories(encoding) -> list[list[str]]:
    """The categories the LightGBM encoding learned from the training rows, per categorical column."""
    encoder = encoding.named_transformers_.get("categorical")
    return [list(c) for c in getattr(encoder, "categories_", [])]


def _plain(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _sentence(name: str, value, known: set | None) -> str:
    if _plain(value) is None:
        return f"{name}: missing"
    if known is not None and value not in known:
        return f"{name}: {value} (not seen in training)"
    return f"{name}: {value:g}" if isinstance(value, float) else f"{name}: {value}"


# -- training on a table, end to end -------------------------------------------------------------------------------
@dataclass
class Prepared:
    """A table checked and made ready to train on: every refusal happens before this exists."""

    path: Path
    table: pl.DataFrame
    label: LabelCoding
    id_column: str | None
    time_column: str | None
    plan: ColumnPlan
    usable: pl.Series  # per row of the table: trained or judged on (it has a label, and a time when split by time)
    unlabelled: int  # rows with an empty label: not trained on, still scored
    untimed: int  # labelled rows with no time (time split): not trained on, still scored
    y: np.ndarray  # the usable rows' labels, 0/1
    x: object  # the usable rows' features (pandas, as the models read them)
    split: Split

    @property
    def parts(self) -> dict[str, np.ndarray]:
        return {part: self.split.parts == part for part in PARTS}

    @property
    def part_rows(self) -> dict[str, int]:
        return {part: int(mask.sum()) for part, mask in self.parts.items()}


@dataclass
class TableRun:
    """What `train_table` did, for the summary the CLI prints."""

    prepared: Prepared
    outcome: tracking.RegistrationOutcome
    scores_path: Path
    scores: pl.DataFrame


def slug(path: Path) -> str:
    """The table's name as MLflow names go: 'Telco-Customer-Churn.csv' -> 'telco-customer-churn'."""
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "table"


def family_name(path: Path) -> str:
    """The table's own experiment (huntred-<this>) and registered model (huntred-<this>)."""
    return f"churn-table-{slug(path)}"


def default_scores_path(table: Path) -> Path:
    return table.with_name(f"{table.stem}.scores.parquet")


def check_columns(table: pl.DataFrame, label: str, id_column: str | None, time_column: str | None) -> None:
    given = [(label, "--label"), (id_column, "--id"), (time_column, "--time-column")]
    names = [c for c, _ in given if c is not None]
    if len(set(names)) < len(names):
        raise UserError("--label, --id and --time-column must name different columns.",
                        "Give each its own column of the table.")
    for column, option in given:
        if column is not None and column not in table.columns:
            shown = ", ".join(table.columns[:12]) + (", …" if table.width > 12 else "")
            raise UserError(f"The table has no column '{column}' ({option}).", f"Its columns are: {shown}.")


def prepare(path: Path, label: str, *, id_column: str | None = None, time_column: str | None = None,
            positive: str | None = None) -> Prepared:
    """Read the table, code its label, plan its columns and split its rows, refusing (UserError) what cannot train."""
    table = read_table(path)
    check_columns(table, label, id_column, time_column)
    coded, coding = code_label(table[label], positive)
    plan = plan_columns(table, [c for c in (label, id_column, time_column) if c])
    usable = coded.is_not_null()
    times = read_times(table[time_column]) if time_column else None
    untimed = int((usable & times.is_null()).sum()) if times is not None else 0
    if times is not None:
        usable = usable & times.is_not_null()
    n = int(usable.sum())
    if n < MIN_ROWS:
        raise UserError(f"The table has {n:,} rows with a label in '{label}'"
                        f"{' and a time' if time_column else ''}; training needs at least {MIN_ROWS}.",
                        "Give a larger table (a few thousand rows judge a model well).")
    y = coded.filter(usable).to_numpy().astype(int)
    split = split_by_time(times.filter(usable)) if times is not None else split_stratified(y)
    for part in PARTS:
        _both_classes(part, y[split.parts == part], coding)
    return Prepared(path, table, coding, id_column, time_column, plan, usable, int(coded.is_null().sum()), untimed, y,
                    features(table.filter(usable), plan), split)


def train_prepared(prepared: Prepared, *, scores_out: Path | None = None, params: dict | None = None,
                   settings=None) -> TableRun:
    """Fit both models, judge them on the test rows, register (gated like every family), score the whole table."""
    p, parts = prepared, prepared.parts
    train, validation = parts["train"], parts["validation"]
    log.info(f"fitting LightGBM and a logistic baseline on {int(train.sum()):,} rows of {p.path.name}…")
    fitted = fit(p.x[train], p.y[train], p.x[validation], p.y[validation], p.plan, params)
    trained = _trained(p, fitted, params)
    family = family_name(p.path)
    outcome = tracking.register(family, f"huntred-{family}", trained, primary_metric=churn.PRIMARY_METRIC,
                                baseline_metric=f"baseline_{churn.PRIMARY_METRIC}",
                                requirements=tracking.pip_requirements(*REQUIREMENTS),
                                tags={"table": str(p.path), "table_sha256": trained.data["table_sha256"]},
                                settings=settings)
    scores = score_table(p.table, fitted.model, p.plan, outcome.version, p.id_column,
                         _part_of_every_row(p.usable, p.split))
    scores_path = scores_out or default_scores_path(p.path)
    scores.write_parquet(scores_path)
    return TableRun(p, outcome, scores_path, scores)


def train_table(path: Path, label: str, *, id_column: str | None = None, time_column: str | None = None,
                positive: str | None = None, scores_out: Path | None = None, params: dict | None = None,
                settings=None) -> TableRun:
    """Both steps: `prepare` (every refusal), then `train_prepared`."""
    prepared = prepare(path, label, id_column=id_column, time_column=time_column, positive=positive)
    return train_prepared(prepared, scores_out=scores_out, params=params, settings=settings)


def _both_classes(part: str, y: np.ndarray, coding: LabelCoding) -> None:
    if y.size and 0 < y.sum() < y.size:
        return
    missing = f"no churned ('{coding.positive}')" if y.sum() == 0 else f"no retained ('{coding.negative}')"
    raise UserError(f"The {part} rows have {missing} customers among {y.size:,} rows of label column '{coding.column}'.",
                    "Give a table with more customers of both kinds (or, with --time-column, both kinds in every period).")


def _trained(p: Prepared, fitted: Fitted, params: dict | None) -> tracking.TrainedModel:
    test = p.parts["test"]
    x_test, y_test = p.x[test], p.y[test]
    p_model, p_base = probabilities(fitted.model, x_test), probabilities(fitted.baseline, x_test)
    plan = p.plan
    gain = dict(zip(plan.names, churn.inner_booster(fitted.model).booster_.feature_importance("gain").round(2).tolist()))
    judged = churn.judge(y_test, p_model, p_base, gain, {f.name: f"{f.kind}{', ' + f.note if f.note else ''}"
                                                        for f in plan.all})
    labelled = p.table.filter(p.usable).with_columns(pl.Series("label", p.y))

    def evaluate(other) -> dict[str, float]:
        """Any model of this registered name on these test rows; one that cannot read them (a table of other
        columns under the same name) cannot be compared: NaN, which the gate reports as such."""
        try:
            return classification_metrics(y_test, probabilities(other, x_test))
        except (ValueError, KeyError) as exc:
            log.warning(f"the champion cannot score this table's test rows: {exc}")
            return {k: float("nan") for k in judged.metrics if not k.startswith("baseline_")}

    return tracking.TrainedModel(
        model=fitted.model, metrics=judged.metrics, features=plan.names,
        params={**churn.DEFAULT_PARAMS, **(params or {}), "table": p.path.name, "label": p.label.column,
                "label_positive": p.label.positive, "label_negative": p.label.negative, "label_how": p.label.how,
                "split": "time" if p.time_column else "stratified", "split_how": p.split.how,
                **{f"split_{k}": v for k, v in p.split.boundaries.items()},
                "numeric_features": [f.name for f in plan.numeric],
                "categorical_features": [f.name for f in plan.categorical], "dropped_columns": plan.dropped,
                "calibration": "sigmoid on the validation rows",
                "baseline": "median imputation + one-hot + StandardScaler + LogisticRegression",
                "encoding": "fitted on the training rows only; unseen categories are unknown (missing for LightGBM, "
                            "all-zero one-hot for the baseline)"},
        data={"table_rows": p.table.height, "table_sha256": hashlib.sha256(p.path.read_bytes()).hexdigest(),
              **tracking.frame_fingerprint(**{part: labelled.filter(pl.Series(mask)) for part, mask in p.parts.items()})},
        evaluate=evaluate, figures=judged.figures, tables={"feature_importance.csv": judged.importance},
        input_example=x_test.head(3))


def _part_of_every_row(usable: pl.Series, split: Split) -> list[str]:
    """Which part each row of the table was in ('not trained on' for rows without a label or a time)."""
    parts = iter(split.parts.tolist())
    return [next(parts) if ok else "not trained on" for ok in usable.to_list()]


def score_table(table: pl.DataFrame, model, plan: ColumnPlan, version: str, id_column: str | None,
                parts: list[str]) -> pl.DataFrame:
    """Every row's churn probability, risk decile and top reasons (JSON, as the candidate model's scores), with the
    id (or the row's position in the table) and the part it was in, so an in-sample score is never mistaken."""
    x = features(table, plan)
    p = probabilities(model, x)
    ids = table.select(pl.col(id_column)) if id_column else pl.DataFrame({"row": np.arange(table.height)})
    return ids.with_columns(
        churn_probability=pl.Series(p.round(5)),
        risk_decile=pl.Series(10 - (pl.Series(p).rank("ordinal", descending=True) - 1) * 10 // len(p)).cast(pl.Int8),
        top_reasons=pl.Series([churn._json(r) for r in reasons(model, x, plan)]),
        split=pl.Series(parts), model_version=pl.lit(version))
