"""Browser packages from npm served locally (no CDN)."""
