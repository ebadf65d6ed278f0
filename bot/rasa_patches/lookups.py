"""Two lookups of Rasa 3.6 whose answer never changes while the server runs, cached (runs inside ``.venv-rasa``).

Profiling a turn (``benchmarks/profile_rasa_turn.py``) showed that most of Rasa's own time per message went
to them:

* ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which first checks the constant
  response schema against the JSON-Schema metaschema and only then the action server's response: about
  50 ms per custom action on this CPU. Here the schema is checked once and the validator reused: the same
  response is accepted or rejected with the same ``ValidationError`` as before.
* ``Event.resolve_by_type`` walks the whole ``Event`` class tree for every event it deserialises, and the
  tracker store deserialises every event of the conversation on every turn. Here the ``type_name -> class``
  map is cached and rebuilt when a name is missing (an ``Event`` subclass imported later).

Installed by ``bot.rasa_patches.install()``.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions import action as rasa_action
from rasa.shared.core import events as rasa_events
from rasa.shared.utils.common import all_subclasses


@functools.cache
def _action_response_validator() -> Any:
    schema = rasa_action.RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)  # what jsonschema.validate() does on every call
    return validator_class(schema)


def validate_action_result(self: rasa_action.RemoteAction, result: dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result`` with the schema checked once instead of on every call."""
    # As jsonschema.validate() reports it: the most relevant error, not merely the first one found.
    error: ValidationError | None = best_match(_action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (  # Rasa's own wording
        ". Failed to validate Action server response from API, make sure your response from the Action "
        f"endpoint is valid. For more information about the format visit {rasa_action.DOCS_BASE_URL}/custom-actions"
    )
    raise error


_event_classes: dict[str, type[rasa_events.Event]] = {}


def _event_class(type_name: str) -> type[rasa_events.Event] | None:
    if type_name not in _event_classes:  # first use, or a subclass imported since: walk the tree again
        # setdefault: the first class with a name wins, as in Rasa's own loop over the same list.
        for cls in all_subclasses(rasa_events.Event):
            _event_classes.setdefault(cls.type_name, cls)
    return _event_classes.get(type_name)


def resolve_by_type(
    type_name: str, default: type[rasa_events.Event] | None = None
) -> type[rasa_events.Event] | None:
    """``Event.resolve_by_type`` with the name -> class map cached; same results and errors."""
    cls = _event_class(type_name)
    if cls is not None:
        return cls
    if type_name == "topic":
        return None  # Rasa's backwards compatibility for old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def install() -> None:
    rasa_action.RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    rasa_events.Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign,assignment]
