"""Query functions per aggregate. They take a Connection and never commit."""
