"""The ticketflow engine: SpiffWorkflow work orders, persistence, timers, calendar, audit.

Nothing in this package imports Flask or ``web``; ``tests/test_layering.py`` enforces it.
"""
