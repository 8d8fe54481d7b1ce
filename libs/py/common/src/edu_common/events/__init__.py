"""Events between services: typed contracts, a transactional outbox, a relay to NATS JetStream,
and consumers that record what they processed so a redelivered event has one effect."""

from edu_common.events.bus import EventBus
from edu_common.events.consumer import EventConsumer
from edu_common.events.contracts import Event
from edu_common.events.outbox import OutboxRelay, enqueue, enqueue_many, outbox_backlog

__all__ = [
    "Event",
    "EventBus",
    "EventConsumer",
    "OutboxRelay",
    "enqueue",
    "enqueue_many",
    "outbox_backlog",
]
