import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from printbridge_shared.auth.permissions import Permission
from printbridge_shared.auth.principal import PrincipalKind
from printbridge_shared.fields import Text
from storefront_auth.credentials.passwords import MAX_PASSWORD_LENGTH

RefreshTokenValue = Annotated[
    Text, Field(min_length=1, max_length=200, description="A refresh token from login or refresh.")
]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Text = Field(min_length=1, max_length=320, examples=["staff@printshop.example"])
    password: Text = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: RefreshTokenValue


class LogoutRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: RefreshTokenValue


class TokenPair(BaseModel):
    access_token: str = Field(description="Send as `Authorization: Bearer <access_token>`.")
    refresh_token: str = Field(
        description="Exchange at /v1/auth/refresh for a new pair; each refresh token works once."
    )
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")


class Me(BaseModel):
    """The caller as the API sees it. API keys act as operators and show their own id and name."""

    kind: PrincipalKind
    id: uuid.UUID
    email: str | None
    customer_id: uuid.UUID | None
    role: str | None
    store_ids: list[uuid.UUID]
    permissions: list[Permission] = Field(
        description="What the caller may do (for store managers: in its `store_ids` only); a client can "
        "show or hide actions by it. The services enforce the same list."
    )
    api_key_id: uuid.UUID | None
    api_key_name: str | None


class Jwks(BaseModel):
    keys: list[dict[str, Any]] = Field(description="Public Ed25519 keys (JWK) that verify access tokens.")
