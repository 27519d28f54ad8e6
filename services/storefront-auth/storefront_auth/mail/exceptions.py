class MailDeliveryFailed(Exception):
    """A message could not be handed to the mail server. `reason` is shown to operators as the invitation's
    failure_reason, so it is plain language and never carries a credential. `permanent` tells the caller
    whether retrying can help: a refusal (5xx) will not, an unreachable server may."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
