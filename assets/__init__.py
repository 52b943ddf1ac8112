"""Dagster assets by subject. Pure functions live beside the thin asset decorators."""
