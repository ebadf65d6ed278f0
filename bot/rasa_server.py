"""Start the Rasa server with its HTTP API token taken from the environment (runs inside ``.venv-rasa``).

    python -m bot.rasa_server run --enable-api --model ... (every ``rasa`` argument except ``--auth-token``)

``rasa run --auth-token TOKEN`` would put the token on the command line, where any local user sees it with
``ps``. Here the token comes from ``YIBAO_RASA_TOKEN`` (the stack sets it; a process's environment is readable
by its owner only) or the token file in the data directory, and is handed to Rasa inside this process:
``/proc/<pid>/cmdline`` keeps the arguments this module was started with. Every log record Rasa writes is
redacted (``yibao.logging.install_record_redaction``).

Before Rasa starts, this is also where our patches of Rasa are installed (``bot.rasa_patches.install()``): on
a Rasa release they were not checked against it raises, and Rasa does not start.
"""

from __future__ import annotations

import sys

from bot import rasa_patches
from yibao.logging import install_record_redaction
from yibao.settings import get_settings


def main() -> None:
    arguments = sys.argv[1:]
    if any(a in {"--auth-token", "-t"} or a.startswith("--auth-token=") for a in arguments):
        raise SystemExit("bot.rasa_server: pass the token in YIBAO_RASA_TOKEN, not on the command line")
    install_record_redaction()  # card numbers in payloads, PINs typed anywhere: masked before any log handler
    rasa_patches.install()  # before Rasa loads a model (its policy nodes bind their methods when created)
    # One argument, "--auth-token=…": a token may begin with "-" (token_urlsafe), which argparse would take
    # for an option when given as a separate argument ("expected one argument").
    sys.argv = ["rasa", *arguments, f"--auth-token={get_settings().rasa_token}"]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
