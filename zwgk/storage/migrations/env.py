"""Alembic environment: runs on the connection zwgk hands it (see db.migrate)."""

from alembic import context

from zwgk.storage.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic` CLI use: build an engine from the URL
    from zwgk.storage.db import make_engine

    connection = make_engine(config.get_main_option("sqlalchemy.url") or None).connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
