"""What payment's endpoints take from the running app, as typed dependencies."""

from __future__ import annotations

from typing import Annotated

from edu_common.auth import require_role
from edu_common.security.tokens import Principal, Role
from fastapi import Depends, Request

from payment.payments.provider import PaymentProvider
from payment.settings import PaymentSettings


async def _provider(request: Request) -> PaymentProvider:
    provider: PaymentProvider = request.app.state.payment_provider
    return provider


async def _settings(request: Request) -> PaymentSettings:
    settings: PaymentSettings = request.app.state.settings
    return settings


Provider = Annotated[PaymentProvider, Depends(_provider)]
Settings = Annotated[PaymentSettings, Depends(_settings)]
# Another service calling with its service token; no user (not even an admin) passes.
InternalService = Annotated[Principal, Depends(require_role(Role.SERVICE))]
