"""Shift handover (交接班) lists, printable."""
