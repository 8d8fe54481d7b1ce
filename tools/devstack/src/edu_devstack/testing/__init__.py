"""What tests need from the stack, one module per concern:

- `servers`: embedded PostgreSQL, Valkey and NATS for the session, a fresh database per test,
  `unique_word` for a query no other test's data shares;
- `launcher`: services under test with their lifespan running, reached in process;
- `process`: a service as its own process (signals, shutdown, limits under load);
- `tokens`: access tokens for any user and role;
- `assertions`: checks on HTTP answers (RFC 9457 problem details);
- `events`: events as another service would send them (`course_created`);
- `polling`: `eventually`, waiting for what happens in the background;
- `smtp`: the mailbox of a fake SMTP server;
- `stack`: the whole platform from `edu up`, on free ports, driven from outside.
"""

from edu_devstack.testing.assertions import assert_problem, metric_value
from edu_devstack.testing.events import course_created
from edu_devstack.testing.launcher import RunningService, ServiceLauncher, launcher
from edu_devstack.testing.polling import eventually
from edu_devstack.testing.process import ServiceProcess, service_process
from edu_devstack.testing.servers import TestServers, private_server, unique_word
from edu_devstack.testing.smtp import Mail, Mailbox
from edu_devstack.testing.stack import StackUnderTest, stack_on_free_ports
from edu_devstack.testing.tokens import Tokens

__all__ = [
    "Mail",
    "Mailbox",
    "RunningService",
    "ServiceLauncher",
    "ServiceProcess",
    "StackUnderTest",
    "TestServers",
    "Tokens",
    "assert_problem",
    "course_created",
    "eventually",
    "launcher",
    "metric_value",
    "private_server",
    "service_process",
    "stack_on_free_ports",
    "unique_word",
]
