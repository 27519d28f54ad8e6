from fastapi import FastAPI

from printbridge_shared.testing import assert_service_basics


async def test_service_starts_migrates_and_answers_health_checks(app: FastAPI) -> None:
    await assert_service_basics(app)
