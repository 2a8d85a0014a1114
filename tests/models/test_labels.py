"""The vocabulary people read (models/labels.py): every stored code of the enums has a label that is not the code,
every churn feature has a sentence, and the sentences say what they should."""
from __future__ import annotations

import re

import orjson
import pytest

from ml.churn.features import FEATURES as CHURN_FEATURES
from models import enums
from models.labels import (
    ATTRIBUTION_MODEL_LABELS,
    BUSINESS_UNIT_LABELS,
    CHURN_REASONS,
    MISSING,
    churn_reason,
    churn_reasons,
    column_label,
    label,
    ml_metric_label,
)
from models.metrics import METRICS
from serving.analytics import ATTRIBUTION_MODELS

SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
#: column -> the enum of the codes it holds, as the marts store them
CODED_COLUMNS = {
    "business_unit": enums.BusinessUnit, "channel": enums.Channel, "source_channel": enums.Channel,
    "phase": enums.CampaignPhase, "stage": enums.ApplicationStage, "intent": enums.ChatIntent,
    "assessment_type": enums.AssessmentType, "source": enums.SourceFamily, "reason_code": enums.QuarantineReason,
}


def test_business_units_read_as_the_company_writes_them():
    assert [BUSINESS_UNIT_LABELS[b] for b in enums.BusinessUnit] == [
        "huntRED Executive", "huntRED", "huntRED Inspiration", "huntRED Experience", "huntU", "amigro", "huntRED Solutions"]


@pytest.mark.parametrize("column", CODED_COLUMNS)
def test_every_code_of_a_coded_column_has_a_label_in_words(column):
    for code in CODED_COLUMNS[column]:
        shown = label(column, code.value)
        assert shown and not SNAKE.search(shown), (column, code.value, shown)
        assert shown != code.value or code.value == "amigro", f"{column} '{code.value}' is shown as its code"


def test_messaging_channels_and_attribution_models_and_phases_in_english():
    for enum in (enums.ConversationChannel, enums.NotificationChannel):
        assert all(label("channel", c.value) != c.value for c in enum)
    assert [ATTRIBUTION_MODEL_LABELS[m] for m in ATTRIBUTION_MODELS] == [
        "Last touch", "First touch", "Linear", "Time decay", "Position based"]
    assert [label("phase", p.value) for p in enums.CampaignPhase] == ["Teaser", "Launch", "Consolidation", "Retargeting"]
    assert label("stage", "time_to_hire") == "Time to hire" and label("channel", None) == MISSING


def test_every_metric_column_is_headed_with_its_label():
    for name, metric in METRICS.items():
        assert column_label(name).startswith(metric.label), name
    assert column_label("spend_mxn") == "Spend (MXN)" and column_label("some_new_count") == "Some new count"
    assert ml_metric_label("baseline_roc_auc") == "Baseline ROC-AUC"


def test_every_churn_feature_has_a_sentence_without_codes():
    """The features come from ml/churn/features.py: a feature added there without a sentence here fails."""
    assert set(CHURN_FEATURES) <= set(CHURN_REASONS), set(CHURN_FEATURES) - set(CHURN_REASONS)
    for feature in CHURN_FEATURES:
        for value in (0.0, 1.0, 3.0, 45.0, 0.4):
            sentence = churn_reason(feature, value)
            assert sentence and not SNAKE.search(sentence) and "None" not in sentence, (feature, value, sentence)


def test_churn_reasons_read_as_short_sentences():
    reasons = orjson.dumps([
        {"feature": "days_since_last_activity", "value": 45.0, "contribution": 0.8, "reason": "..."},
        {"feature": "applications_90d", "value": 0.0, "contribution": 0.2, "reason": "..."},
        {"feature": "notifications_received_30d", "value": 1.0, "contribution": 0.1, "reason": "..."},
        {"feature": "activity_trend", "value": 0.25, "contribution": 0.05, "reason": "..."},
    ]).decode()
    assert churn_reasons(reasons) == ("No activity in 45 days; No applications in 90 days; 1 notification received in "
                                      "30 days; Activity down to 25% of the month before")
    assert churn_reasons("[]") == "No single feature stands out" and churn_reasons(None) == MISSING
    assert churn_reason("a_future_feature", 2.0) == "A future feature: 2"
