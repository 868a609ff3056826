import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.pipeline import Pipeline

from {{packageName}}.data import load_frame
from {{packageName}}.features import FEATURES, TARGET
from {{packageName}}.model import Classifier
from {{packageName}}.registry import CHAMPION
from {{packageName}}.serving.scorer import build_scorer
from {{packageName}}.settings import Settings

from tests.helpers import local_registry


def test_the_folded_linear_scorer_matches_predict_proba(trained_settings: Settings) -> None:
    model = local_registry(trained_settings).load_alias(CHAMPION).model
    rows = load_frame()[list(FEATURES)].to_numpy(dtype=float)
    scorer = build_scorer(model, rows[:50])
    assert scorer.kind == "linear"
    assert scorer.score_few is not None
    expected = model.predict_proba(rows)[:, 1]
    np.testing.assert_allclose(scorer.score(rows), expected, rtol=1e-9)
    np.testing.assert_allclose(scorer.score_few(rows.tolist()), expected, rtol=1e-9)


def test_other_models_fall_back_to_predict_proba() -> None:
    frame = load_frame()
    rows = frame[list(FEATURES)].to_numpy(dtype=float)
    model = DummyClassifier(strategy="prior").fit(rows, frame[TARGET])
    scorer = build_scorer(model, rows[:10])
    assert scorer.kind == "predict_proba"
    assert scorer.score_few is None
    np.testing.assert_allclose(scorer.score(rows[:3]), model.predict_proba(rows[:3])[:, 1])


@pytest.mark.parametrize("value", [1e308, -1e308])
def test_rows_that_overflow_inside_the_model_score_as_nan(
    trained_settings: Settings, value: float
) -> None:
    model = local_registry(trained_settings).load_alias(CHAMPION).model
    rows = load_frame()[list(FEATURES)].to_numpy(dtype=float)[:3].copy()
    rows[1, :] = value
    rows[2, ::2] = -value
    linear = build_scorer(model, rows[:1])
    assert linear.score_few is not None
    fallback = build_scorer(_Unfoldable(model), rows[:1])
    assert fallback.kind == "predict_proba"
    for scored in (linear.score(rows), linear.score_few(rows.tolist()), fallback.score(rows)):
        result = np.asarray(scored)
        assert np.isfinite(result[0])
        assert np.isnan(result[1:]).all()


def test_a_huge_but_finite_logit_is_a_certain_prediction(trained_settings: Settings) -> None:
    model = local_registry(trained_settings).load_alias(CHAMPION).model
    rows = load_frame()[list(FEATURES)].to_numpy(dtype=float)
    scorer = build_scorer(model, rows[:10])
    assert scorer.score_few is not None
    # Far along the direction that lowers (raises) the logit: about -1e6 (1e6), still finite.
    assert isinstance(model, Pipeline)
    direction = np.sign(model.steps[1][1].coef_[0]) * 1e4
    low, high = (rows[0] - direction).tolist(), (rows[0] + direction).tolist()
    assert scorer.score_few([low, high]) == [0.0, 1.0]
    np.testing.assert_array_equal(scorer.score(np.array([low, high])), [0.0, 1.0])


class _Unfoldable:
    """The trained pipeline behind an interface the folding does not recognise."""

    def __init__(self, model: Classifier) -> None:
        self.model = model

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(features)
