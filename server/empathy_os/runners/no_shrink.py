"""A test fails at its first failing example: Hypothesis' shrinking (hundreds more runs to find the smallest
one) and its explain phase cost 1.6 s of the sample's 9 s of validation, for a rejected candidate or a
killed mutant. A crash found is reported with the example Hypothesis found first (derandomized: the same
example every run), not a shrunk one. Used by the candidate runs (batch.py) and the mutant runs (mutants.py)."""


def no_shrinking():
    try:
        from hypothesis import Phase, settings

        settings.register_profile("_empathy_no_shrink", phases=[Phase.explicit, Phase.reuse, Phase.generate],
                                  report_multiple_bugs=False)
        settings.load_profile("_empathy_no_shrink")
    except Exception:  # noqa: BLE001, S110 - no (usable) Hypothesis: nothing to shrink
        pass
