"""What 医保通 changes inside Rasa 3.6 (runs inside ``.venv-rasa``): two caches, one socket.io fix, and policies
that cannot change a prediction are not run.

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

One more saves work whose result cannot matter. Rasa runs every policy for every prediction and then picks the
most confident one, ties going to the higher priority. When the RulePolicy (priority 6) predicts an action with
confidence 1.0, neither the MemoizationPolicy (3) nor the TEDPolicy (1) can change the choice: their
confidences are at most 1.0, they add no events, and only the winner's extras are used. Then they are not run
(they return Rasa's own all-zero prediction): about 40 % of a turn's CPU, since both policies turn the whole
conversation into states and TED runs a TensorFlow model. TED and Memoization still run whenever they could
matter: the rules are not sure, the last action was rejected (Rasa then zeroes it in every prediction), TED was
trained end-to-end (its text predictions outrank intent ones), or priorities were configured otherwise. The
RulePolicy's prediction is computed once per tracker state, whichever node the graph runs first.

``apply()`` is idempotent and is called when Rasa imports the tracker store (``bot/tracker_store.py``), the
one module of ours every Rasa server process loads. It patches only the Rasa version it was written
against; for any other version it logs a warning and leaves Rasa as it is.
"""

from __future__ import annotations

import copy
import functools
import logging
import weakref
from typing import Any

import rasa
from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions import action as rasa_action
from rasa.core.channels import socketio as rasa_socketio
from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core import events as rasa_events
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT
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


class _RuleVerdicts:
    """The RulePolicy's last prediction, for the tracker state it was made on, shared by the policy nodes of one
    graph run; and the RulePolicy serving each domain (model), so the other policies can ask it first."""

    def __init__(self) -> None:
        self.rules: dict[int, weakref.ref[RulePolicy]] = {}  # id(domain) -> the model's RulePolicy
        self.key: tuple[Any, ...] = ()
        self.prediction: PolicyPrediction | None = None

    @staticmethod
    def _key(policy: RulePolicy, tracker: DialogueStateTracker, domain: Domain) -> tuple[Any, ...]:
        # Events are only ever appended while a turn runs: the count and the last one identify the state.
        last = tracker.events[-1] if tracker.events else None
        return (id(policy), id(domain), id(tracker), len(tracker.events), id(last))

    def predict(self, policy: RulePolicy, tracker: DialogueStateTracker, domain: Domain, **kwargs: Any
                ) -> PolicyPrediction:
        self.rules[id(domain)] = weakref.ref(policy)
        key = self._key(policy, tracker, domain)
        if key != self.key or self.prediction is None:
            self.key, self.prediction = key, _original_rule_predict(policy, tracker, domain, **kwargs)
        # A copy each time: the ensemble zeroes rejected actions in the prediction it is given.
        prediction = copy.copy(self.prediction)
        prediction.probabilities = list(self.prediction.probabilities)
        return prediction

    def decide(self, policy: Policy, tracker: DialogueStateTracker, domain: Domain) -> bool:
        """Whether the rules' prediction wins whatever ``policy`` predicts."""
        rule_ref = self.rules.get(id(domain))
        rules = rule_ref() if rule_ref else None
        if rules is None or rules.priority <= policy.priority:
            return False
        if isinstance(policy, TEDPolicy) and (policy.only_e2e or TEXT in policy.fake_features):
            return False  # an end-to-end prediction would outrank the rules' intent-based one
        last_action = next((e for e in reversed(tracker.events)
                            if isinstance(e, (rasa_events.ActionExecuted, rasa_events.ActionExecutionRejected))), None)
        if isinstance(last_action, rasa_events.ActionExecutionRejected):
            return False
        verdict = self.predict(rules, tracker, domain)
        return verdict.is_no_user_prediction or max(verdict.probabilities, default=0.0) >= 1.0


_verdicts = _RuleVerdicts()
_original_rule_predict = RulePolicy.predict_action_probabilities


def rule_predict(self: RulePolicy, tracker: DialogueStateTracker, domain: Domain, **kwargs: Any) -> PolicyPrediction:
    """``RulePolicy.predict_action_probabilities``, computed once per tracker state."""
    return _verdicts.predict(self, tracker, domain, **kwargs)


def _unless_rules_decide(original: Any) -> Any:
    @functools.wraps(original)
    def predict(self: Policy, tracker: DialogueStateTracker, domain: Domain, *args: Any, **kwargs: Any
                ) -> PolicyPrediction:
        if _verdicts.decide(self, tracker, domain):
            return self._prediction(self._default_predictions(domain))  # what Rasa returns for "no opinion"
        return original(self, tracker, domain, *args, **kwargs)

    predict.__wrapped_original__ = original  # type: ignore[attr-defined]
    return predict


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
    RulePolicy.predict_action_probabilities = rule_predict  # type: ignore[method-assign]
    for policy in (TEDPolicy, MemoizationPolicy):
        policy.predict_action_probabilities = _unless_rules_decide(  # type: ignore[method-assign]
            policy.__dict__["predict_action_probabilities"])
    _applied = True
    return True
