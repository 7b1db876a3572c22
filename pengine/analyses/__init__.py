"""Analyses over a scheduled run: why a resource is where it is (`explain`)."""
