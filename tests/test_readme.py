"""The README tells the truth: its example answers, settings and commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

from oversight_graph.schema import Context, schema
from oversight_graph.server.settings import SETTINGS_DOC

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_example_queries_give_the_answers_shown(seed_store):
    section = _section("Three questions")
    queries, answers = _blocks(section, "graphql"), _blocks(section, "json")
    assert len(queries) == len(answers) == 3
    for query, answer in zip(queries, answers, strict=True):
        result = schema.execute_sync(query, context_value=Context(store=seed_store))
        assert result.errors is None, result.errors
        assert result.data == json.loads(answer)


def test_one_example_asks_which_companies_lack_agreements():
    assert "companiesWithoutAgreement" in _section("Three questions")


def test_exactly_two_commands_and_ci_runs_the_test_command():
    commands = _blocks(_section("Two commands"), "sh")
    assert len(commands) == 2
    test_command = commands[1].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    for name, (_type, description) in SETTINGS_DOC.items():
        row = f"| {name} | `OVERSIGHT_{name.upper()}` | {description} |"
        assert row in README, row
