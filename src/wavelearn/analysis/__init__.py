"""Observables computed from gathered datasets."""
