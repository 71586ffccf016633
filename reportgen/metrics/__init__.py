"""The metrics engine: one module per report section, each reading the shared ``Context``.

A metric computes exact integers and fractions and returns model dataclasses; it never
formats a number and never reads files.  Definitions: docs/metrics.md.
"""
