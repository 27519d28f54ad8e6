from pathlib import Path

import pytest

from printbridge.services import migrations_dir


@pytest.fixture
def service_migrations(service: str) -> Path:
    """`database_url` of the parametrised `service`: its own migrated database."""
    return Path(migrations_dir(service))
