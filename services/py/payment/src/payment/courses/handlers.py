"""Course events keep the course projection current."""

from __future__ import annotations

from collections.abc import Mapping

from edu_common.events.consumer import Handler
from edu_common.events.contracts import Event

from payment.courses.repository import COURSES

HANDLERS: Mapping[type[Event], Handler] = COURSES.handlers()
