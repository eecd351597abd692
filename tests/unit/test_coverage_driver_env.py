"""The driver's fingerprint of the project interpreter's installed distributions (live coverage runs every
test when it differs from the stored map's): it sees installs, removals and upgrades, and nothing else."""

from __future__ import annotations

import sys

from empathy_os.runners.coverage_driver import env_fingerprint as fingerprint


def test_the_fingerprint_follows_the_installed_distributions(tmp_path, monkeypatch):
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
