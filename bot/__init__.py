"""The Rasa assistant: training data in bot/data, custom actions in bot/actions (served by rasa-sdk)."""
