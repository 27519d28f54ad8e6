from printbridge_shared.errors import Conflict


class OperatorEmailTaken(Conflict):
    code = "operator-email-taken"
    title = "E-mail already in use"

    def __init__(self, email: str) -> None:
        super().__init__(f"An operator with e-mail {email} already exists; pick another address.")


class EmailIsCustomerLogin(Conflict):
    code = "email-in-use"
    title = "E-mail already in use"

    def __init__(self, email: str) -> None:
        super().__init__(f"{email} is the login of a Storefronts customer user; pick another address.")
