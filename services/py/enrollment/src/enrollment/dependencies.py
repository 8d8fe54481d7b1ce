"""What enrollment's endpoints take from the running app, as typed dependencies."""

from __future__ import annotations

from typing import Annotated

from edu_common.pagination import CursorCodec
from fastapi import Depends, Request


def _cursors(request: Request) -> CursorCodec:
    cursors: CursorCodec = request.app.state.cursors
    return cursors


Cursors = Annotated[CursorCodec, Depends(_cursors)]
