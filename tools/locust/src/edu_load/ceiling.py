"""The server ceiling: `GET /health/live` as fast as the generator can send it (no wait), on
the same server and worker settings as the mix."""

from __future__ import annotations

from locust import FastHttpUser, task


class LivenessUser(FastHttpUser):
    @task
    def live(self) -> None:
        self.client.get("/health/live", name="GET /health/live")
