"""定点医药机构名录: designated hospitals, clinics and pharmacies — import, search, nearest first."""
