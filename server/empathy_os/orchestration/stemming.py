"""Snowball stemmers for the planner's lexicons, one per language and thread.

`snowballstemmer.stemmer(name)` is the library's own entry point: with PyStemmer installed (a dependency;
the same Snowball algorithms in C) importing `snowballstemmer` costs about a millisecond, while its pure
Python fallback imports all 30 languages' modules at once (~50 ms at every CLI start, even for
`from snowballstemmer.english_stemmer import …`, since the package's `__init__` runs first). A PyStemmer
stemmer object must not be shared between threads, and the language server plans from several.
"""

from __future__ import annotations

import threading
from typing import Any

NAMES = {"en": "english", "de": "german", "es": "spanish", "fr": "french"}
_local = threading.local()


def stemmer(lang: str) -> Any:
    """This thread's stemmer for `lang` ("en", "de", "es", "fr"): `.stemWords(words)`."""
    cached = getattr(_local, "stemmers", None)
    if cached is None:
        cached = _local.stemmers = {}
    if lang not in cached:
        import snowballstemmer

        cached[lang] = snowballstemmer.stemmer(NAMES[lang])
    return cached[lang]
