"""The query language: one parser, three back-ends (SQLite FTS5, PostgreSQL tsquery, in memory)."""
