"""Auditor pages: search, the audit chain's integrity, and step-by-step replay of a work order."""
