"""HTTP routes, one module per audience: patients' chat, staff look-ups, health, and the pages."""
