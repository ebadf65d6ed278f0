"""Custom Rasa NLU components (run inside the Rasa venv, Python 3.10, standard library + Rasa + OpenCC only)."""
