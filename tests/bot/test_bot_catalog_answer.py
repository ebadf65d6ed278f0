"""Issue 15: one catalog answer. The chat bot, the staff page and the command line say the same about a drug
name: whether it is recognised and how confident that is (knowledge.catalog.answers decides it, once)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.actions.qa import ActionCatalogLookup
from kiosk_api.routes.staff import _catalog
from knowledge.catalog.cli import catalog_app
from tests.bot.helpers import answer_meta, make_tracker, run_action

pytestmark = pytest.mark.usefixtures("private_backends")

# Around the thresholds of the score scale: exact name, name inside a question, one wrong character,
# part of a name, a longer drug containing the name, pinyin, unknown.
QUERIES = ["阿莫西林", "布洛芬医保报不报", "阿莫西休", "头孢", "阿莫西林克拉维酸钾", "amoxilin", "氪星石片"]


def _bot(query: str) -> tuple[bool, float]:
    tracker = make_tracker(query, "ask_catalog", entities=[{"entity": "drug", "value": query}])
    meta = answer_meta(run_action(ActionCatalogLookup(), tracker)[0])
    from_catalog = any(c["passage_id"].startswith("catalog:") for c in meta["citations"])
    return from_catalog, float(meta["confidence"])


def _cli(query: str) -> tuple[bool, float]:
    result = CliRunner().invoke(catalog_app, ["lookup", query, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    return data["recognised"], data["confidence"]


def _staff(query: str) -> tuple[bool, float]:
    results = _catalog(query, 5)
    return results.recognised, results.confidence


@pytest.mark.parametrize("query", QUERIES)
def test_bot_staff_page_and_cli_agree_on_recognised_and_confidence(query: str) -> None:
    bot, cli, staff = _bot(query), _cli(query), _staff(query)
    assert bot[0] == cli[0] == staff[0], (bot, cli, staff)
    assert cli[1] == staff[1] and 0.0 <= cli[1] <= 1.0
    if bot[0]:  # otherwise the bot answers from the documents, with the documents' confidence
        assert bot[1] == cli[1], (bot, cli)


def test_the_queries_cover_both_sides_of_the_threshold() -> None:
    recognised = {query: _cli(query)[0] for query in QUERIES}
    assert recognised["阿莫西休"] and not recognised["头孢"] and not recognised["氪星石片"]
