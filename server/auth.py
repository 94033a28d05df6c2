"""The update token: writes need it as a Bearer credential, checked before a body is read."""

from __future__ import annotations

import secrets

from fastapi import Request

from .errors import Forbidden, Unauthorized


def check_token(request: Request) -> None:
    """Writes need the server's token as a Bearer credential: 403 when off or wrong, 401 when absent."""
    token = request.app.state.settings.update_token
    if token is None:
        raise Forbidden("updates are disabled: start the server with KG_UPDATE_TOKEN set")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Unauthorized("updates need 'Authorization: Bearer <token>'")
    if not secrets.compare_digest(given.strip().encode("latin-1"), token.encode()):
        raise Forbidden("the update token is not valid")
