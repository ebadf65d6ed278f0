def ask() -> None: ...  # PLACEHOLDER: replaced by the bot work
