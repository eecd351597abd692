"""German, Spanish and French requests, offline: a small lexicon per language and Snowball's stemmer for it.

A language's word list is stemmed only when a task is likely in that language (its function words), or
when the English lexicon found nothing: an English task never pays for it.

The word lists name the same eight domains as the English lexicon (lexicon.py), in the words engineers use
in each language. German glues words together ("Sicherheitslücken", "Testabdeckung"), so for German a
word also matches when it begins or ends with a listed stem of six letters or more.
"""

from __future__ import annotations

from functools import cache

from empathy_os.orchestration.stemming import stemmer

LANGUAGES = ("de", "es", "fr")

# Words that say which language a sentence is in (and that no lexicon lists).
FUNCTION_WORDS = {
    "en": {"the", "a", "an", "and", "is", "of", "to", "for", "in", "on", "with", "our", "my", "please", "this",
           "that", "it", "all", "are", "why"},
    "de": {"der", "die", "das", "und", "ist", "nicht", "ein", "eine", "mit", "für", "von", "zu", "auf", "den",
           "dem", "des", "bitte", "wir", "unser", "unsere", "im", "sind", "alle", "warum", "ich", "wie"},
    "es": {"el", "la", "los", "las", "del", "que", "y", "en", "por", "para", "con", "una", "un", "es",
           "nuestro", "nuestra", "favor", "todo", "todas", "al", "lo", "mi", "hay"},
    "fr": {"le", "la", "les", "des", "du", "et", "est", "pour", "avec", "une", "un", "dans", "sur", "nous",
           "notre", "nos", "plaît", "tout", "ce", "au", "aux", "mon", "pourquoi", "il"},
}

LEXICONS: dict[str, dict[str, list[str]]] = {
    "de": {
        "security": ["sicherheit", "sicherheitslücke", "unsicher", "schwachstelle", "lücke", "angriff",
                     "angreifer", "passwort", "kennwort", "verschlüsselung", "injektion", "einschleusung",
                     "geheimnis", "zugangsdaten", "authentifizierung", "anmeldung", "berechtigung", "bandit"],
        "performance": ["leistung", "performance", "langsam", "schnell", "schneller", "geschwindigkeit",
                        "speicher", "arbeitsspeicher", "speicherleck", "engpass", "laufzeit", "latenz",
                        "optimieren", "optimierung", "beschleunigen", "profilieren"],
        "testing": ["test", "tests", "testen", "testabdeckung", "abdeckung", "unittest", "komponententest",
                    "getestet", "ungetestet", "pytest"],
        "documentation": ["dokumentation", "dokumentieren", "doku", "docstring", "docstrings", "kommentar",
                          "kommentare", "anleitung", "handbuch", "readme", "beispiel", "beispiele", "erklären"],
        "architecture": ["architektur", "abhängigkeit", "abhängigkeiten", "schicht",
                         "schichten", "kopplung", "zirkulär", "zyklisch", "import", "importe", "struktur",
                         "entwurf"],
        "refactoring": ["refaktorieren", "refaktorisieren", "refactoring", "umstrukturieren", "aufräumen",
                        "vereinfachen", "duplikat", "doppelt", "dupliziert", "komplexität", "zyklomatisch",
                        "entwirren", "altlast", "schulden", "verschachtelt"],
        "quality": ["qualität", "codequalität", "lint", "linter", "stil", "lesbarkeit", "lesbar", "wartbarkeit",
                    "wartbar", "review", "codeprüfung", "begutachten", "ruff"],
        "release": ["veröffentlichung", "veröffentlichen", "release", "auslieferung", "produktion", "freigabe",
                    "ausrollen"],
    },
    "es": {
        "security": ["seguridad", "inseguro", "vulnerabilidad", "vulnerable", "ataque", "atacante",
                     "contraseña", "inyección", "cifrado", "secreto", "credenciales", "autenticación", "bandit"],
        "performance": ["rendimiento", "lento", "lenta", "rápido", "velocidad", "memoria", "cuello",
                        "latencia", "optimizar", "optimización", "acelerar", "perfilar"],
        "testing": ["prueba", "pruebas", "test", "tests", "cobertura", "unitarias", "probar", "pytest"],
        "documentation": ["documentación", "documentar", "docstring", "docstrings", "comentario", "comentarios",
                          "guía", "manual", "readme", "ejemplo", "ejemplos", "explicar"],
        "architecture": ["arquitectura", "dependencia", "dependencias", "capa", "capas",
                         "acoplamiento", "circular", "circulares", "importación", "importaciones", "estructura",
                         "diseño"],
        "refactoring": ["refactorizar", "refactorización", "limpiar", "simplificar", "duplicado", "complejidad",
                        "ciclomática", "deuda", "reestructurar", "desenredar", "anidado"],
        "quality": ["calidad", "lint", "linter", "estilo", "legibilidad", "legible", "mantenibilidad", "revisar",
                    "revisión", "ruff"],
        # Not "publicar": its stem is also "pública" (public), as in "la API pública".
        "release": ["lanzamiento", "producción", "desplegar", "despliegue"],
    },
    "fr": {
        "security": ["sécurité", "sécuriser", "vulnérabilité", "vulnérable", "faille", "attaque", "attaquant",
                     "injection", "chiffrement", "secret", "identifiants", "authentification", "bandit"],
        "performance": ["performance", "performances", "lent", "lente", "rapide", "vitesse", "mémoire",
                        "goulot", "latence", "optimiser", "optimisation", "accélérer", "profiler"],
        "testing": ["test", "tests", "tester", "couverture", "unitaire", "unitaires", "pytest"],
        "documentation": ["documentation", "documenter", "docstring", "docstrings", "commentaire",
                          "commentaires", "guide", "manuel", "readme", "exemple", "exemples", "expliquer"],
        "architecture": ["architecture", "dépendance", "dépendances", "couche", "couches",
                         "couplage", "circulaire", "circulaires", "importation", "structure", "conception"],
        "refactoring": ["refactoriser", "refactorisation", "refactoring", "nettoyer", "simplifier", "dupliqué",
                        "duplication", "complexité", "cyclomatique", "dette", "restructurer", "démêler",
                        "imbriqué"],
        "quality": ["qualité", "lint", "linter", "style", "lisibilité", "lisible", "maintenabilité", "relire",
                    "revue", "relecture", "ruff"],
        "release": ["livraison", "production", "déployer", "déploiement"],  # not "publier": "publique"
    },
}


def guess(words: list[str]) -> str:
    """The language whose function words the sentence uses most; English on a tie."""
    counts = {lang: sum(w in vocab for w in words) for lang, vocab in FUNCTION_WORDS.items()}
    best = max(counts, key=lambda lang: (counts[lang], lang == "en"))
    return best if counts[best] > counts["en"] else "en"


@cache
def _compiled(lang: str) -> dict[str, frozenset[str]]:
    stem = stemmer(lang)
    return {domain: frozenset(stem.stemWords(entries)) for domain, entries in LEXICONS[lang].items()}


def score(words: list[str], lang: str) -> dict[str, tuple[float, list[str]]]:
    """domain → (hits, the words that matched) in `lang`'s lexicon; only domains that matched."""
    stems = stemmer(lang).stemWords(words)
    found: dict[str, tuple[float, list[str]]] = {}
    for domain, vocab in _compiled(lang).items():
        hits = [w for w, s in zip(words, stems, strict=True) if s in vocab or (lang == "de" and _glued(s, vocab))]
        if hits:
            found[domain] = (float(len(hits)), hits)
    return found


def _glued(stem: str, vocab: frozenset[str]) -> bool:
    return any(len(v) >= 6 and stem != v and (stem.startswith(v) or stem.endswith(v)) for v in vocab)
