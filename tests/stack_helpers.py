"""Constants shared by the conftest's live stack and the tests that check it (conftest modules are not importable)."""

WIDGET_ORIGIN = "https://www.hospital.example"  # the one web origin the test stack allows to call Rasa
