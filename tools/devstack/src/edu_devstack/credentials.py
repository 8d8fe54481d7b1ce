"""The secrets of one data directory: the token signing key pair and the cursor secret,
generated once (mode 0600), and the service token minted from them at every start."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from edu_common.security.keys import SigningKey
from edu_common.security.tokens import Role, TokenSigner

# The dev stack's own identity when services call each other, and how long its token lives.
DEV_SERVICE_ID = "00000000-0000-5000-8000-00000000e0de"
SERVICE_TOKEN_TTL = 30 * 24 * 3600


@dataclass(frozen=True)
class StackSecrets:
    home: Path
    env: Mapping[str, str]

    def _private_file(self, name: str, make: Callable[[], str]) -> str:
        keys = self.home / "keys"
        keys.mkdir(parents=True, exist_ok=True)
        keys.chmod(0o700)
        path = keys / name
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(make())
        return path.read_text()

    def signing_keys(self) -> tuple[str, str]:
        """(private PEM, public PEM), generated once per data directory."""
        private_pem = self._private_file(
            "jwt_private.pem", lambda: SigningKey.generate().private_pem()
        )
        public_pem = self._private_file(
            "jwt_public.pem", lambda: SigningKey.from_pem(private_pem).public_pem()
        )
        return private_pem, public_pem

    def cursor_secret(self) -> str:
        return self._private_file("cursor_secret", lambda: secrets.token_urlsafe(32)).strip()

    def service_token(self, private_pem: str) -> str:
        """A token of role `service` for calls between services, minted at every start."""
        signer = TokenSigner(
            SigningKey.from_pem(private_pem),
            issuer=self.env.get("EDU_JWT_ISSUER", "eduplatform-identity"),
            audience=self.env.get("EDU_JWT_AUDIENCE", "eduplatform"),
            access_ttl_seconds=SERVICE_TOKEN_TTL,
        )
        return signer.sign_access(DEV_SERVICE_ID, Role.SERVICE, True, name="edu dev stack")
