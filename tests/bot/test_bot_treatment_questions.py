"""A question of how to treat reaches the answer action when NLU takes it for a policy question: it is still
the doctor's, said as such, with no passage quoted."""

from __future__ import annotations

from bot.actions import texts
from bot.actions.qa import ActionAnswerQuestion
from tests.bot.helpers import answer_meta, answer_text, make_tracker, run_action


def test_a_treatment_question_asked_as_policy_points_to_the_doctor():
    messages, _ = run_action(ActionAnswerQuestion(), make_tracker("我妈血糖高，吃点什么药能降下来", "ask_policy"))
    meta = answer_meta(messages)
    assert meta["refusal"] == "out_of_scope"
    assert not meta.get("citations")
    assert "医生" in answer_text(messages) and texts.OUT_OF_SCOPE in answer_text(messages)
