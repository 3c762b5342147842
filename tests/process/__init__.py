"""Tests of mimir.process."""
