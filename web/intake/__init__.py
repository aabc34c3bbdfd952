"""Agent intake: one screen per flow, rendered from the start event's form."""
