"""The options every project command shares are declared once (cli/common.add_project_options): the same
flags reject the same bad values with the same message, and say the same thing in --help."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from empathy_os.cli import build_parser, main

COMMANDS = {  # command words -> the shared options it has
    ("orchestrate", "release-prep"): {"--project-root", "--python", "--max-cost", "--untrusted", "--json"},
    ("orchestrate", "test-coverage"): {"--project-root", "--python", "--max-cost", "--untrusted", "--json"},
    ("orchestrate", "fix"): {"--project-root", "--python", "--max-cost", "--untrusted", "--json"},
    ("compose", "a task"): {"--project-root", "--python", "--max-cost", "--untrusted", "--json"},
    ("verify", "-"): {"--project-root", "--python", "--json"},
}


def _options(words: tuple[str, ...]) -> dict[str, str]:
    """option string -> help of the sub-command's parser."""
    parser = build_parser()
    for word in words[:2] if words[0] == "orchestrate" else words[:1]:
        action = next(a for a in parser._actions if a.choices and word in a.choices)
        parser = action.choices[word]
    return {opt: a.help or "" for a in parser._actions for opt in a.option_strings}


@pytest.mark.parametrize("words", list(COMMANDS))
@pytest.mark.parametrize(("value", "message"), [("-1", "-1 is out of range (0–1e+06)"),
                                                 ("nan", "nan is out of range"),
                                                 ("lots", "'lots' is not a number")])
def test_max_cost_is_validated_the_same_way_everywhere(words, value, message, capsys):
    if "--max-cost" not in COMMANDS[words]:
        with pytest.raises(SystemExit) as exit_:
            main([*words, "--max-cost", "1"])
        assert exit_.value.code == 2 and "unrecognized arguments: --max-cost" in capsys.readouterr().err
        return
    with pytest.raises(SystemExit) as exit_:
        main([*words, "--max-cost", value])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and len(err.strip().splitlines()) == 1
    assert f"argument --max-cost: {message}" in err


def test_shared_options_have_one_help_text():
    helps: dict[str, set[str]] = {}
    for words, shared in COMMANDS.items():
        options = _options(words)
        assert shared <= set(options), (words, shared - set(options))
        for opt in shared - {"--untrusted", "--json"}:  # these two name the command's own consequence
            helps.setdefault(opt, set()).add(options[opt])
        if "--untrusted" in shared:
            assert options["--untrusted"].startswith("never run project code (")
        assert options["--json"].endswith("as JSON (nothing else on stdout)")
    assert {opt: len(texts) for opt, texts in helps.items()} == dict.fromkeys(helps, 1)


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path):
    """`empathy compose … | head -1`: the pipe closes under the printer; the command ends quietly (141)."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before a line is printed
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    try:
        done = subprocess.run([sys.executable, "-m", "empathy_os", "compose", "Check the code for security issues",
                               "--no-learn", "--project-root", str(tmp_path)], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, env=env, check=False)
    finally:
        os.close(write_end)
    assert done.returncode == 141 and done.stderr == ""
