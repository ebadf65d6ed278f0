"""What 医保通 changes inside Rasa 3.6 (runs inside ``.venv-rasa``): two caches and one socket.io fix.

Profiling a turn (``benchmarks/profile_rasa_turn.py``) showed that most of Rasa's own time per message went
to two lookups whose answer never changes while the server runs:

* ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which first checks the constant
  response schema against the JSON-Schema metaschema and only then the action server's response: about
  50 ms per custom action on this CPU. Here the schema is checked once and the validator reused: the same
  response is accepted or rejected with the same ``ValidationError`` as before.
* ``Event.resolve_by_type`` walks the whole ``Event`` class tree for every event it deserialises, and the
  tracker store deserialises every event of the conversation on every turn. Here the ``type_name -> class``
  map is cached and rebuilt when a name is missing (an ``Event`` subclass imported later).

And Rasa's socket.io channel passes a custom JSON message to ``AsyncServer.emit(event, **message)``: our
``answer_meta`` message (``{"type": "answer_meta", ...}``) made that raise, so a widget on socket.io got no
answer. Here a custom message is sent as ``{"custom": {...}}``, the shape the REST channel uses and
``rasa-webchat`` understands; a message written for socket.io (only ``emit`` arguments, e.g. ``{"data": ...}``)
is still passed as Rasa does.

``apply()`` is idempotent and is called when Rasa imports the tracker store (``bot/tracker_store.py``), the
one module of ours every Rasa server process loads. It patches only the Rasa version it was written
against; for any other version it logs a warning and leaves Rasa as it is.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import rasa
from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions import action as rasa_action
from rasa.core.channels import socketio as rasa_socketio
from rasa.shared.core import events as rasa_events
from rasa.shared.utils.common import all_subclasses

logger = logging.getLogger(__name__)

SUPPORTED_RASA = "3.6."
_applied = False


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


# The keyword arguments of python-socketio's AsyncServer.emit after the event name.
_EMIT_ARGUMENTS = frozenset({"data", "to", "room", "skip_sid", "namespace", "callback", "ignore_queue"})


async def send_custom_json(
    self: rasa_socketio.SocketIOOutput, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
) -> None:
    """``SocketIOOutput.send_custom_json`` that does not turn our message's keys into ``emit`` arguments."""
    if json_message and set(json_message) <= _EMIT_ARGUMENTS:  # written for socket.io: Rasa's own behaviour
        await self.sio.emit(self.bot_message_evt, **{"room": recipient_id, **json_message})
    else:
        await self._send_message(recipient_id, {"custom": json_message})


def apply() -> bool:
    """Install the caches and the socket.io fix; returns whether they are installed."""
    global _applied
    if _applied:
        return True
    if not rasa.__version__.startswith(SUPPORTED_RASA):
        logger.warning("rasa %s: patches written for %sx not applied", rasa.__version__, SUPPORTED_RASA)
        return False
    rasa_action.RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    rasa_events.Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign,assignment]
    rasa_socketio.SocketIOOutput.send_custom_json = send_custom_json  # type: ignore[method-assign]
    _applied = True
    return True
