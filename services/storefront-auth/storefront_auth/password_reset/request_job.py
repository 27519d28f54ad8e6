"""A password-reset request as a durable job: the endpoint only enqueues it (the same work whether or not
the address has an account, so neither the answer nor its timing tells), and this job looks the address
up and queues the e-mail afterwards. A repeat after a crash is harmless: a user gets at most one e-mail
a minute."""

from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.jobs import Job, JobHandler, enqueue
from storefront_auth.models import jobs
from storefront_auth.password_reset import service

PASSWORD_RESET_REQUEST = "password_reset_request"


async def ask_for_reset(session: AsyncSession, *, email: str) -> None:
    """Records the request in the caller's unit of work: a 202 then means it will be handled."""
    await enqueue(session, jobs, PASSWORD_RESET_REQUEST, {"email": email})


class PasswordResetRequestJob(JobHandler[None]):
    async def prepare(self, session: AsyncSession, job: Job) -> None:
        await service.request_reset(session, email=str(job.payload["email"]))
