"""The tutorial's import path `from empathy_os.pattern_library import PatternLibrary` (public API only).

The implementation is `empathy_os.store.pattern_library`; nothing inside Empathy imports this module, it
exists so the tutorial's code keeps working.
"""

from empathy_os.store.pattern_library import MIN_SUCCESS_RATE, MIN_USAGE, PatternLibrary, is_proven

__all__ = ["MIN_SUCCESS_RATE", "MIN_USAGE", "PatternLibrary", "is_proven"]
