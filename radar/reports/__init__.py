"""The radar's reports: one module per analysis, each holding its parameters, its reading of
the database (once per request), its rows and its words; cache.py stores computed results."""
