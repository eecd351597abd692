"""The driver's fingerprint of the project interpreter's installed distributions (live coverage runs every
test when it differs from the stored map's): it sees installs, removals and upgrades, and nothing else."""

from __future__ import annotations

import sys

from empathy_os.analyzers._coverage_driver import DRIVER


def fingerprint_function():
    """The driver's own function (the driver is a program text passed with `python -c`)."""
    source = DRIVER[DRIVER.index("def env_fingerprint"):DRIVER.index("class Recorder")]
    scope = {"os": __import__("os"), "sys": sys}
    exec(source, scope)  # noqa: S102 - our own driver's source, to test the very function it runs
    return scope["env_fingerprint"]


def test_the_fingerprint_follows_the_installed_distributions(tmp_path, monkeypatch):
    fingerprint = fingerprint_function()
    site = tmp_path / "site-packages"
    (site / "foo-1.0.dist-info").mkdir(parents=True)
    (site / "foo").mkdir()
    monkeypatch.setattr(sys, "path", [str(site), str(tmp_path / "missing"), *sys.path])
    first = fingerprint()
    assert fingerprint() == first
    (site / "foo" / "new_module.py").write_text("x = 1\n")  # a file of a package: not a distribution change
    assert fingerprint() == first
    (site / "foo-1.0.dist-info").rename(site / "foo-1.1.dist-info")  # an upgrade
    upgraded = fingerprint()
    assert upgraded != first
    (site / "bar-2.0.dist-info").mkdir()  # an install
    assert fingerprint() not in (first, upgraded)
