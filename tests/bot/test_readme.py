"""The README's command-line examples are what the bot prints: they are run, not trusted."""

from __future__ import annotations

import re
import shlex

from bot.cli import main
from tests.conftest import PROJECT_DIR

_EXAMPLE = re.compile(r"^\$ python -m bot (.+)$")


def readme_examples() -> list[tuple[list[str], list[str]]]:
    """(arguments, the output lines shown) of each `$ python -m bot ask …` in the README's
    "Asking from the command line" block; "…" stands for lines left out."""
    text = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    block = text.split("## Asking from the command line", 1)[1].split("```text", 1)[1]
    block = block.split("```", 1)[0]
    examples: list[tuple[list[str], list[str]]] = []
    for line in block.strip().splitlines():
        command = _EXAMPLE.match(line)
        if command:
            examples.append((shlex.split(command.group(1)), []))
        elif line.strip() and line.strip() != "…" and examples:
            examples[-1][1].append(line)
    return examples


def test_the_readme_examples_print_what_the_readme_shows(capsys) -> None:
    examples = readme_examples()
    assert len(examples) >= 3
    for arguments, shown in examples:
        assert main(arguments) == 0
        printed = capsys.readouterr().out.splitlines()
        lines = iter(printed)
        for expected in shown:  # in order, each somewhere after the previous one
            assert any(line == expected for line in lines), (arguments, expected)
