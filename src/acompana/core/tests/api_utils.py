"""Helpers for API tests: personal tokens, token clients, the error shape."""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlencode

from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from acompana.api.auth import TOKEN_PREFIX, hash_token
from acompana.api.models import ApiToken
from acompana.core.models import User


def make_token(user: User, name: str = "prueba", **fields: Any) -> str:
    """A raw personal token of ``user`` (stored hashed, no event: test set-up only)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name=name, prefix=raw[:12], key_hash=hash_token(raw), **fields
    )
    return raw


def token_client(user: User, **token_fields: Any) -> Client:
    """A test client that authenticates every request with a new token of ``user``."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {make_token(user, **token_fields)}")


def call(
    client: Client,
    method: str,
    url: str,
    payload: dict[str, Any] | None = None,
    query: dict[str, Any] | None = None,
    files: dict[str, Any] | None = None,
) -> Any:
    """Send ``method`` with a JSON body (or, with ``files``, a multipart form) and a query."""
    method = method.lower()
    if method == "get":
        return client.get(url, query or {})
    if query:
        url = f"{url}?{urlencode(query, doseq=True)}"
    if files:
        body = encode_multipart(BOUNDARY, {**(payload or {}), **files})
        return client.generic(method.upper(), url, body, content_type=MULTIPART_CONTENT)
    body = json.dumps(payload) if payload is not None else ""
    return client.generic(method.upper(), url, body, content_type="application/json")


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is ``status`` with the one JSON error shape; returns its ``error``."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    if code is not None:
        assert error["code"] == code, error
    return error
