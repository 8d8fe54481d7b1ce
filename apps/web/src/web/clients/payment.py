"""Payment: buying a paid course."""

from __future__ import annotations

import uuid

from web.clients.base import ServiceClient


class PaymentClient(ServiceClient):
    name = "payment"

    async def pay(self, token: str, course_id: uuid.UUID, idempotency_key: str) -> None:
        await self.request(
            "POST",
            "/payments",
            token=token,
            json={"course_id": str(course_id)},
            headers={"Idempotency-Key": idempotency_key},
        )
