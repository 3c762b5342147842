"""Tests of mimir.importers."""
