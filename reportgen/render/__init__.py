"""Renderers: one module per output format, all reading the same report model."""
