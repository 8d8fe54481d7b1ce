from __future__ import annotations

import httpx
import pytest
from notification.settings import NotificationSettings


def test_settings_defaults_and_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PORT", "SMTP_HOST", "SMTP_PORT"):
        monkeypatch.delenv(f"EDU_NOTIFICATION_{name}", raising=False)
    settings = NotificationSettings()
    assert settings.port == 8005
    assert (settings.smtp_host, settings.smtp_port) == ("127.0.0.1", 1025)
    monkeypatch.setenv("EDU_NOTIFICATION_SMTP_PORT", "2525")
    monkeypatch.setenv("EDU_NOTIFICATION_PORT", "9005")
    settings = NotificationSettings()
    assert (settings.port, settings.smtp_port) == (9005, 2525)


async def test_health_and_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health/live")).status_code == 200
    assert (await client.get("/health/ready")).status_code == 200
    await client.get("/notifications/me")
    metrics = (await client.get("/metrics")).text
    assert 'route="/notifications/me"' in metrics


async def test_openapi_describes_every_route(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    assert set(paths["/notifications/me"]) == {"get"}
    assert set(paths["/notifications/{notification_id}/read"]) == {"patch"}
    assert set(paths["/notifications/read-all"]) == {"post"}
    assert set(paths["/notifications"]) == {"post"}
    assert "404" in paths["/notifications/{notification_id}/read"]["patch"]["responses"]
    assert "403" in paths["/notifications"]["post"]["responses"]
