from orders.config import Settings
from orders.models import Base
from printbridge_shared.migrations import run_migrations_env

run_migrations_env(Base.metadata, lambda: Settings().resolved_database_url())
