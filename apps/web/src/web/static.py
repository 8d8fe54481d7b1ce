"""Static files under content-hashed names, cached for a year as immutable."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
SERVED = (".css", ".js", ".svg", ".png", ".ico", ".woff2")


@dataclass(frozen=True)
class StaticFile:
    name: str
    hashed_name: str
    body: bytes
    media_type: str


class StaticFiles:
    def __init__(self, directory: Path = STATIC_DIR) -> None:
        self.by_name: dict[str, StaticFile] = {}
        self.by_hashed: dict[str, StaticFile] = {}
        for path in sorted(directory.iterdir()):
            if not path.is_file() or path.suffix not in SERVED:
                continue
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:12]
            stem, _, suffix = path.name.partition(".")
            hashed = f"{stem}.{digest}.{suffix}"
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type.endswith("javascript"):
                media_type += "; charset=utf-8"
            entry = StaticFile(path.name, hashed, body, media_type)
            self.by_name[path.name] = entry
            self.by_hashed[hashed] = entry

    def url(self, name: str) -> str:
        return "/static/" + self.by_name[name].hashed_name

    async def serve(self, request: Request) -> Response:
        entry = self.by_hashed.get(request.path_params["name"])
        if entry is None:
            return Response("not found", status_code=404, media_type="text/plain")
        return Response(
            entry.body,
            media_type=entry.media_type,
            headers={"Cache-Control": "public, max-age=31536000, immutable"},
        )
