"""The identity service: accounts, roles, tokens, email verification, password reset."""

from __future__ import annotations

import logging
from pathlib import Path

from edu_common.app import ServiceSpec
from edu_common.app import create_app as create_service_app
from edu_common.security.keys import SigningKey, load_public_keys
from edu_common.security.tokens import TokenVerifier
from edu_common.settings import load_settings
from fastapi import FastAPI

from identity.accounts.endpoints import router as accounts_router
from identity.admin.endpoints import router as admin_router
from identity.lifespan import identity_runtime
from identity.sessions.endpoints import router as sessions_router
from identity.settings import IdentitySettings

MIGRATIONS = Path(__file__).parent / "migrations"

logger = logging.getLogger("edu.identity")


def _signing_key(settings: IdentitySettings) -> SigningKey:
    if settings.jwt_private_key:
        return SigningKey.from_pem(settings.jwt_private_key)
    logger.warning("no jwt_private_key configured: using an ephemeral key for this process only")
    return SigningKey.generate()


def _verifier(app: FastAPI) -> TokenVerifier:
    settings: IdentitySettings = app.state.settings
    key: SigningKey = app.state.signing_key
    # Our own key, plus any configured public keys (the previous one during a rotation).
    keys = load_public_keys(settings.jwt_public_key) if settings.jwt_public_key else {}
    keys[key.kid] = key.public_key
    return TokenVerifier(
        keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=settings.jwt_leeway_seconds,
    )


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or load_settings(IdentitySettings)
    spec = ServiceSpec(
        name="identity",
        title="EduPlatform Identity",
        description="Accounts, roles, access and refresh tokens, email verification, "
        "password reset and teacher verification.",
        routers=[accounts_router, sessions_router, admin_router],
        migrations=MIGRATIONS,
        hooks=[identity_runtime],
        sends_mail=True,
        verifier=_verifier,
    )
    app = create_service_app(spec, settings)
    app.state.signing_key = _signing_key(settings)
    return app
