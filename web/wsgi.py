"""WSGI entry point for gunicorn: the app plus its in-process timer sweeper."""
from web import create_app, start_scheduler

app = create_app()
start_scheduler(app)
