"""Policies of Rasa 3.6 that cannot change a prediction are not run (runs inside ``.venv-rasa``).

Rasa runs every policy for every prediction and then picks the most confident one, ties going to the higher
priority. When the RulePolicy (priority 6) predicts an action with confidence 1.0, neither the
MemoizationPolicy (3) nor the TEDPolicy (1) can change the choice: their confidences are at most 1.0, they add
no events, and only the winner's extras are used. Then they are not run (they return Rasa's own all-zero
prediction): about 40 % of a turn's CPU, since both policies turn the whole conversation into states and TED
runs a TensorFlow model. TED and Memoization still run whenever they could matter: the rules are not sure, the
last action was rejected (Rasa then zeroes it in every prediction), TED was trained end-to-end (its text
predictions outrank intent ones), or priorities were configured otherwise. The RulePolicy's prediction is
computed once per tracker state, whichever node the graph runs first.

A patch, not policy subclasses named in config.yml: Rasa treats its own classes by name and identity (the
``policy_N_RulePolicy`` names in every stored ``ActionExecuted`` event, ``ensemble.is_not_in_training_data``,
the recipe validator's ``node.uses == RulePolicy``), so subclasses would change more than the CPU spent.
Installed by ``bot.rasa_patches.install()``, before Rasa loads a model: its graph nodes bind these methods
when they are created.
"""

from __future__ import annotations

import copy
import functools
import weakref
from typing import Any

from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core import events as rasa_events
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT


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
            self.key, self.prediction = key, original_rule_predict(policy, tracker, domain, **kwargs)
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
original_rule_predict = RulePolicy.predict_action_probabilities


def rule_predict(self: RulePolicy, tracker: DialogueStateTracker, domain: Domain, **kwargs: Any) -> PolicyPrediction:
    """``RulePolicy.predict_action_probabilities``, computed once per tracker state."""
    return _verdicts.predict(self, tracker, domain, **kwargs)


def unless_rules_decide(original: Any) -> Any:
    @functools.wraps(original)
    def predict(self: Policy, tracker: DialogueStateTracker, domain: Domain, *args: Any, **kwargs: Any
                ) -> PolicyPrediction:
        if _verdicts.decide(self, tracker, domain):
            return self._prediction(self._default_predictions(domain))  # what Rasa returns for "no opinion"
        return original(self, tracker, domain, *args, **kwargs)

    predict.__wrapped_original__ = original  # type: ignore[attr-defined]
    return predict


def install() -> None:
    RulePolicy.predict_action_probabilities = rule_predict  # type: ignore[method-assign]
    for policy in (TEDPolicy, MemoizationPolicy):
        policy.predict_action_probabilities = unless_rules_decide(  # type: ignore[method-assign]
            policy.__dict__["predict_action_probabilities"])
