"""Reliable change and the expected course of goals: pure statistics, no database (docs/signals.md)."""
