"""What 医保通 changes inside Rasa where Rasa has no extension point for it (runs inside ``.venv-rasa``).

* ``lookups``: two lookups whose answer never changes while the server runs, cached (the action-response
  validator, the event-name -> class map);
* ``policies``: Memoization and TED are not run when the rules are sure, and the RulePolicy's prediction is
  computed once per tracker state.

Everything else goes through Rasa's own extension points: the channels are classes named in credentials.yml
(``bot/channels.py``, also the socket.io output of ``answer_meta``), the tracker and lock stores are named in
endpoints.yml (``bot/tracker_store.py``), the NLU components in config.yml (``bot/components``).

``install()`` is the one place these patches are installed: ``bot.rasa_server`` calls it before Rasa starts
(and so before a model is loaded: the policies' graph nodes bind their methods when they are created). The
patches replace private Rasa methods with copies checked against one Rasa release, so ``install()`` refuses
any other: it raises, and the server does not start, until the patches are checked against the new release
(``tests/bot/test_bot_rasa_patches.py`` and ``test_policies_rasa_patches_skips_never_change_a_prediction`` in
``tests/bot/test_bot_stack.py``) and ``CHECKED_RASA`` is changed.
"""

from __future__ import annotations

import rasa

CHECKED_RASA = "3.6.21"
_installed = False


class UncheckedRasaVersion(RuntimeError):
    """The installed Rasa is not the release the patches were checked against."""


def install() -> None:
    """Install the patches (idempotent); raises ``UncheckedRasaVersion`` on any Rasa but ``CHECKED_RASA``."""
    global _installed
    if rasa.__version__ != CHECKED_RASA:
        raise UncheckedRasaVersion(
            f"rasa {rasa.__version__} is installed, but bot/rasa_patches was checked against rasa {CHECKED_RASA} "
            f"only: install rasa=={CHECKED_RASA} (requirements/rasa.txt), or check the patches against "
            f"{rasa.__version__} and change CHECKED_RASA")
    if _installed:
        return
    from bot.rasa_patches import lookups, policies  # imported here: they import Rasa's policies (TensorFlow)

    lookups.install()
    policies.install()
    _installed = True


def installed() -> bool:
    return _installed
