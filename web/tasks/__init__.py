"""The task page: a step's form and its work order's context."""
