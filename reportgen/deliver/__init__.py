"""Delivery: the report archive (manifest), the run lock and email."""
