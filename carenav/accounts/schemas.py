import datetime as dt

from ninja import Field, Schema


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=80, description="What the token is for, e.g. 'nightly export'")


class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    key: str = Field(description="Shown once; store it now. carenav keeps only a hash.")


class MeOut(Schema):
    username: str
    display_name: str
    organization: str | None
    role: str
    discipline: str
    credentials: list[str]
    permissions: list[str]
