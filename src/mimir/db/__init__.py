"""Engine, tables and migrations; every dialect difference lives in this package."""
