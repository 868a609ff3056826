import numpy as np
from sklearn.dummy import DummyClassifier

from {{packageName}}.data import load_frame
from {{packageName}}.features import FEATURES, TARGET
from {{packageName}}.registry import CHAMPION
from {{packageName}}.serving.scorer import build_scorer
from {{packageName}}.settings import Settings

from tests.helpers import local_registry


def test_the_folded_linear_scorer_matches_predict_proba(trained_settings: Settings) -> None:
    model = local_registry(trained_settings).load_alias(CHAMPION).model
    rows = load_frame()[list(FEATURES)].to_numpy(dtype=float)
    score, kind = build_scorer(model, rows[:50])
    assert kind == "linear"
    np.testing.assert_allclose(score(rows), model.predict_proba(rows)[:, 1], rtol=1e-9)


def test_other_models_fall_back_to_predict_proba() -> None:
    frame = load_frame()
    rows = frame[list(FEATURES)].to_numpy(dtype=float)
    model = DummyClassifier(strategy="prior").fit(rows, frame[TARGET])
    score, kind = build_scorer(model, rows[:10])
    assert kind == "predict_proba"
    np.testing.assert_allclose(score(rows[:3]), model.predict_proba(rows[:3])[:, 1])
