"""Traditional → simplified Chinese before tokenisation, so 長期異地居住備案 is understood like 长期异地居住备案.

Runs first in the NLU pipeline (config.yml); the training data is written in simplified characters.
"""

from __future__ import annotations

from typing import Any

import opencc
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class TraditionalToSimplified(GraphComponent):
    """Rewrites the message text with OpenCC ``t2s`` (also full-width digits/letters → ASCII)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._converter = opencc.OpenCC(config.get("conversion", "t2s"))

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"conversion": "t2s"}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TraditionalToSimplified:
        return cls(config)

    def simplify(self, text: str) -> str:
        # NFKC-like width folding for the characters patients type on phone keyboards (１２３, ＡＢＣ).
        text = text.translate(_FULL_WIDTH)
        converted = self._converter.convert(text)
        # Entity offsets in annotated examples must stay valid: phrase conversions that change the
        # length fall back to character-by-character conversion.
        if len(converted) != len(text):
            converted = "".join(self._converter.convert(ch) if len(self._converter.convert(ch)) == 1 else ch
                                for ch in text)
        return converted

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and text:
                message.set(TEXT, self.simplify(text))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data


_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
