"""Work-order pages: search, the full work order and its diagram."""
