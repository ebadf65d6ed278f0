"""Run in the Rasa venv: Rasa's own functions and bot/rasa_patches' cached ones, on the same inputs; and where the
patches are installed (bot.rasa_server, before Rasa starts) and refused (another Rasa release).

Prints one JSON line: for each input, whether both accept it, and the error each raises.
"""

from __future__ import annotations

import json
import sys

import rasa
import rasa.__main__
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

ORIGINAL = {
    "validate": RemoteAction._validate_action_result,
    "resolve": Event.resolve_by_type,
    "rule": RulePolicy.predict_action_probabilities,
    "ted": TEDPolicy.predict_action_probabilities,
    "memo": MemoizationPolicy.predict_action_probabilities,
}

import bot.rasa_server  # noqa: E402
import bot.tracker_store  # noqa: E402 - Rasa imports it for endpoints.yml; it installs nothing
from bot import rasa_patches  # noqa: E402

RESPONSES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "drug", "value": "阿司匹林", "timestamp": None}],
     "responses": [{"text": "好的", "buttons": []}]},
    {"events": [{"event": "bot", "text": "hi", "data": {}, "metadata": {}}], "responses": []},
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot"}], "responses": "not a list"},
    {"events": [{"event": "user", "text": 42}], "responses": []},
]


def outcome(call, *args):
    try:
        result = call(*args)
        return {"ok": True, "result": result if isinstance(result, bool) else getattr(result, "__name__", result)}
    except (ValidationError, ValueError) as e:
        return {"ok": False, "error": type(e).__name__, "message": getattr(e, "message", str(e))}


def patched() -> dict[str, bool]:
    now = {"validate": RemoteAction._validate_action_result, "resolve": Event.resolve_by_type,
           "rule": RulePolicy.predict_action_probabilities, "ted": TEDPolicy.predict_action_probabilities,
           "memo": MemoizationPolicy.predict_action_probabilities}
    return {name: now[name] is not ORIGINAL[name] for name in ORIGINAL}


def start_rasa_server(version: str) -> dict:
    """``python -m bot.rasa_server run`` with Rasa's own main replaced: what was installed when Rasa would start."""
    started: list[dict[str, bool]] = []
    rasa_main, rasa_version = rasa.__main__.main, rasa.__version__
    rasa.__main__.main, rasa.__version__ = (lambda: started.append(patched())), version
    sys.argv = ["bot.rasa_server", "run"]
    try:
        bot.rasa_server.main()
    except rasa_patches.UncheckedRasaVersion as e:
        return {"started": bool(started), "refused": str(e), "patched": patched()}
    finally:
        rasa.__main__.main, rasa.__version__ = rasa_main, rasa_version
    return {"started": bool(started), "patched_at_start": started[0]}


def main() -> None:
    before = patched()
    other_release = start_rasa_server("3.7.0")  # first: nothing may be installed on a release not checked
    checked_release = start_rasa_server(rasa.__version__)
    action = RemoteAction("action_answer_question", None)
    names = [*sorted({cls.type_name for cls in all_subclasses(Event)}), "topic", "no_such_event"]
    report = {
        "patched_after_importing_the_tracker_store": before,
        "other_release": other_release,
        "checked_release": checked_release,
        "installed_twice_is_installed_once": (
            rasa_patches.install() is None and TEDPolicy.predict_action_probabilities.__wrapped_original__
            is ORIGINAL["ted"]),
        "validate": [
            [outcome(ORIGINAL["validate"], action, json.loads(json.dumps(r))),
             outcome(RemoteAction._validate_action_result, action, json.loads(json.dumps(r)))]
            for r in RESPONSES
        ],
        "resolve": {
            name: [outcome(ORIGINAL["resolve"], name), outcome(Event.resolve_by_type, name)] for name in names
        },
        "resolve_default": [outcome(ORIGINAL["resolve"], "no_such_event", Event),
                            outcome(Event.resolve_by_type, "no_such_event", Event)],
    }
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
