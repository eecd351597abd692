"""Hypothesis' Unicode tables: built once by Empathy's own interpreter, copied into each sandbox."""

from __future__ import annotations

import gzip
import json
import unicodedata

from empathy_os.testgen import unicode_cache


async def test_built_once_then_seeded_into_a_sandbox_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    home = tmp_path / "sandbox-hypothesis"
    assert unicode_cache.seed(home) is False  # nothing built yet
    await unicode_cache.build()
    built = unicode_cache.cache_dir() / "unicode_data" / unicodedata.unidata_version
    assert sorted(p.name for p in built.iterdir()) == ["charmap.json.gz", "codec-v2-utf-8.json.gz"]
    with gzip.open(built / "charmap.json.gz") as fh:
        assert "Lu" in dict(json.load(fh))  # Hypothesis' own format: intervals per general category
    assert unicode_cache.seed(home) is True
    copied = home / "unicode_data" / unicodedata.unidata_version
    assert (copied / "charmap.json.gz").read_bytes() == (built / "charmap.json.gz").read_bytes()


def test_links_and_oversized_files_are_not_copied(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = unicode_cache.cache_dir() / "unicode_data" / "15.0.0"
    folder.mkdir(parents=True)
    secret = tmp_path / "secret.json.gz"
    secret.write_bytes(b"x")
    (folder / "charmap.json.gz").symlink_to(secret)
    (folder / "codec-v2-utf-8.json.gz").write_bytes(b"x" * (9 << 20))
    home = tmp_path / "home"
    assert unicode_cache.seed(home) is False
    assert not (home / "unicode_data").exists()


async def test_no_cache_without_an_absolute_cache_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "relative/home")
    monkeypatch.chdir(tmp_path)
    assert unicode_cache.cache_dir() is None
    assert unicode_cache.seed(tmp_path / "home") is False
    await unicode_cache.build()
    assert list(tmp_path.iterdir()) == []  # nothing created under the working folder
