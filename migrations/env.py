"""Alembic environment: the target metadata is every ticketflow model."""
from alembic import context
from sqlalchemy import engine_from_config, pool

import engine.api_tokens  # noqa: F401  (registers the table)
import engine.audit.models  # noqa: F401
import engine.calendar.models  # noqa: F401
import engine.drafts  # noqa: F401  (registers process_drafts)
import engine.migration  # noqa: F401  (registers work_order_migrations)
import engine.models  # noqa: F401
from engine.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                     poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
