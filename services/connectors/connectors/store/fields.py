"""Fields of the store requests, shared by the core's schemas and the platforms' connect schemas."""

from typing import Annotated

from pydantic import AfterValidator, Field

from printbridge_shared.fields import Text, display_name

StoreName = Annotated[
    Text,
    AfterValidator(display_name("give the name the store is known by, e.g. its shop's name")),
    Field(examples=["Acme EU shop"]),
]
