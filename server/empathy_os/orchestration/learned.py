"""The offline planner's learned classifier: which plan a one-line task asks for, learned from labelled lines.

The word lists (lexicon.py, intent.py) recognise what they were written for and little else: on a held-out
set of other people's commit subjects and issue titles they planned 79 %. This classifier is trained on
every labelled line we have (routing_examples.json, built by scripts/build_routing_examples.py from the
tuning, held-out and training sets in tests/unit/): scikit-learn's TF-IDF over character n-grams (typos, word
forms), stemmed words and the opening words, and a logistic regression whose probability says how sure it is. Where it is sure
(`CONFIDENT`) and disagrees with the word lists, its label decides the plan; the word lists still extract
what a label does not carry (a boost's target, a fix's rules, tools and files, the order of steps).

Labels, as the held-out sets use them: a main domain ("security" …), "boost" (raise coverage),
"fix:<agent>" (the verified-fix workflow led by that agent) or "refused" (out of scope).

scikit-learn (the optional `classifier` extra; without it `predict` answers None) is imported and the model
fitted on first use (2.5 s; then kept in the user's cache, keyed by the
examples, scikit-learn's and Python's versions: 0.9 s, most of it importing scikit-learn; bench/routing_score.py
--cost), never at import time: the language server and the CLI's other commands do not pay for it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import re
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from empathy_os.user_cache import user_cache_dir

# 5-fold validation (bench/routing_score.py --validate) scored thresholds 0-0.5 alike (90.2-90.4 %) and higher
# ones worse; the highest of the flat range leaves the word lists every plan the classifier is unsure of.
CONFIDENT = 0.5
FIX_DOMAINS = {"security_auditor": "security", "documentation_writer": "documentation",
               "refactoring_specialist": "refactoring", "code_reviewer": "quality", "test_generator": "testing"}
_lock = threading.Lock()


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float
    trained_on: int
    like: str  # the labelled line nearest to the task among those with this label

    @property
    def confident(self) -> bool:
        return self.probability >= CONFIDENT

    def describe(self) -> str:
        return (f"classifier: {self.label} (p={self.probability:.2f}, logistic regression on "
                f"{self.trained_on} labelled lines; nearest: {self.like!r})")

    def why_refused(self) -> str:
        return (f"it reads like {self.like!r}, a labelled example of work no agent does "
                f"(the offline classifier is {self.probability:.0%} sure)")


def fixing_agents() -> set[str]:
    """The labels' fix leads that the fix workflow has (a plug-in may change the fixers)."""
    from empathy_os.analyzers.specs import fixers

    return set(FIX_DOMAINS) & set(fixers())


def _shipped_json() -> bytes:
    return resources.files("empathy_os.orchestration").joinpath("routing_examples.json").read_bytes()


def examples(data: bytes | None = None) -> list[tuple[str, str]]:
    """The labelled lines the classifier learns from: (task, label)."""
    return [(row["task"], row["label"]) for row in json.loads(data or _shipped_json())["examples"]]


def build(rows: list[tuple[str, str]]) -> Any:
    """A fitted scikit-learn pipeline for `rows` (bench/routing_score.py fits it on subsets to validate)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import FeatureUnion, make_pipeline

    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, preprocessor=_stemmed,
                                  token_pattern=r"(?u)\b\w+\b")),
        # "Fix typos in the docs" and "Typos in the fix docs" differ in their opening words
        ("opening", TfidfVectorizer(analyzer="word", preprocessor=_opening, token_pattern=r"\S+")),
    ], transformer_weights={"chars": 1.0, "words": 1.0, "opening": 0.5})
    # Logistic loss by stochastic gradient descent: as accurate here as lbfgs/saga and fitted in about a second
    # rather than 1-9 s; balanced class weights for the rare labels; a fixed random_state makes the same data
    # give the same model. Settings chosen by 5-fold validation (bench/routing_score.py --validate).
    model = make_pipeline(features, SGDClassifier(loss="log_loss", alpha=3e-5, class_weight="balanced",
                                                  max_iter=1000, random_state=0))
    return model.fit([task for task, _ in rows], [label for _, label in rows])


def _stemmed(text: str) -> str:
    from empathy_os.orchestration.stemming import stemmer

    return " ".join(stemmer("en").stemWords(re.findall(r"\w+|[^\w\s]", text.lower())))


def _opening(text: str) -> str:
    said = re.findall(r"[a-z]+", text.lower())
    return " ".join([f"first_{w}" for w in said[:1]] + [f"second_{w}" for w in said[1:2]])


def _fitted(rows: list[tuple[str, str]]) -> tuple[Any, list[tuple[str, str]], Any]:
    model = build(rows)
    return model, rows, model[0].transform([task for task, _ in rows])


@functools.cache
def _shipped() -> tuple[Any, list[tuple[str, str]], Any]:
    """The classifier of the shipped examples, from the user's cache when this version fitted it before."""
    import sklearn

    data = _shipped_json()
    key = hashlib.sha256(data + f"|{sklearn.__version__}|{sys.version_info[:2]}".encode()).hexdigest()[:24]
    folder = user_cache_dir("classifier")
    cached = folder / f"{key}.pickle" if folder else None
    if cached is not None and _ours(cached):
        with contextlib.suppress(Exception):  # a truncated or foreign file: fit again
            return pickle.loads(cached.read_bytes())
    fitted = _fitted(examples(data))  # the bytes the key was taken from
    if cached is not None:
        with contextlib.suppress(OSError):  # a read-only home: fit at every start
            cached.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=cached.parent, suffix=".tmp", delete=False) as out:
                pickle.dump(fitted, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(out.name, cached)
            for old in cached.parent.glob("*.pickle"):  # earlier examples' or versions' classifiers (~20 MB)
                if old != cached:
                    old.unlink(missing_ok=True)
    return fitted


def _ours(path: Path) -> bool:
    """Unpickling runs code: only a file this user wrote and nobody else may change is read."""
    try:
        st = path.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


_override: list[tuple[Any, list[tuple[str, str]], Any]] = []


@contextlib.contextmanager
def trained_on(rows: list[tuple[str, str]]) -> Iterator[None]:
    """Plan with a classifier fitted on `rows` instead of the shipped examples (validation folds)."""
    with _lock:
        _override.append(_fitted(rows))
    try:
        yield
    finally:
        with _lock:
            _override.pop()


@functools.cache
def installed() -> bool:
    """scikit-learn is the optional `classifier` extra; without it the word lists plan alone."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return False
    return True


MISSING = "classifier: not installed (pip install 'empathy-os[classifier]'), the word lists plan alone"


def predict(task: str) -> Prediction | None:
    """The classifier's guess, or None without scikit-learn."""
    if not installed():
        return None
    with _lock:  # the language server plans from several threads; fit once
        model, rows, seen = _override[-1] if _override else _shipped()
    probabilities = model.predict_proba([task])[0]
    best = int(probabilities.argmax())
    label = str(model.classes_[best])
    # TF-IDF rows are L2-normalised per vectorizer: the dot product weighs their cosine similarities.
    similarity = (seen @ model[0].transform([task]).T).toarray().ravel()
    like = max((i for i, (_, lab) in enumerate(rows) if lab == label), key=lambda i: similarity[i])
    return Prediction(label, float(probabilities[best]), len(rows), rows[like][0])
