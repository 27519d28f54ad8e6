from printbridge_shared.migrations import run_migrations_env
from storefront_auth.config import Settings
from storefront_auth.models import Base

run_migrations_env(Base.metadata, lambda: Settings().resolved_database_url())
