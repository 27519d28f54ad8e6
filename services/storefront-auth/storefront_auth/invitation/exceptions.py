class EmailTakenByAnotherCustomer(Exception):
    """The admin's e-mail already belongs to a Storefronts user of another customer (it is the login)."""

    def __init__(self, email: str) -> None:
        super().__init__(
            f"{email} is already the login of a Storefronts user of another customer; name another admin"
        )
