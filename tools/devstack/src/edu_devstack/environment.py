"""The environment each service starts with: where the infrastructure and the other services
answer, the keys it verifies tokens with, and development defaults."""

from __future__ import annotations

from edu_devstack.credentials import StackSecrets
from edu_devstack.services import HOST, Service
from edu_devstack.settings import StackSettings


def service_env(settings: StackSettings, secrets: StackSecrets, service: Service) -> dict[str, str]:
    private_pem, public_pem = secrets.signing_keys()
    p = service.env_prefix
    env = dict(settings.env)
    if service.database is not None:
        env[f"{p}DATABASE_URL"] = settings.database_url(service.database)
    env.update(
        {
            f"{p}REDIS_URL": settings.redis_url(),
            f"{p}NATS_URL": settings.nats_url(),
            f"{p}JWT_PUBLIC_KEY": public_pem,
            f"{p}PORT": str(service.port),
            f"{p}ENVIRONMENT": "production" if production(settings, service) else "development",
            f"{p}CURSOR_SECRET": secrets.cursor_secret(),
            # Every service that sends mail sends it to the local sink.
            f"{p}SMTP_HOST": HOST,
            f"{p}SMTP_PORT": str(settings.smtp_port),
            f"{p}SERVICE_TOKEN": secrets.service_token(private_pem),
            # Where the other services answer, e.g. EDU_ENROLLMENT_PAYMENT_URL.
            **{f"{p}{other.name.upper()}_URL": other.url for other in settings.services},
            "PYTHONUNBUFFERED": "1",
        }
    )
    if service.name == "web":
        # The origin browsers use: a form posted from any other is refused.
        env["EDU_WEB_PUBLIC_URL"] = service.url
    if service.name == "identity":
        env["EDU_IDENTITY_JWT_PRIVATE_KEY"] = private_pem
    if settings.workers is not None and production(settings, service):
        env.update(worker_env(settings, service, settings.workers))
        return env
    if service.name == "course":
        env["EDU_COURSE_SEED_DEMO_DATA"] = "true"
    if service.name == "identity":
        env["EDU_IDENTITY_SEED_DEMO_USERS"] = "true"
    return env


def production(settings: StackSettings, service: Service) -> bool:
    """With --workers the services run in production mode. The web app stays one development
    process: production wants a secret key of its own that the dev stack does not make."""
    return settings.workers is not None and service.name != "web"


def worker_env(settings: StackSettings, service: Service, workers: int) -> dict[str, str]:
    """Several workers: each service's metrics files in a directory of its own, which the
    service empties when it starts. `EDU_<SERVICE>_WORKERS` in the environment gives one
    service its own number (`EDU_COURSE_WORKERS=2 edu up --workers 1`)."""
    own = settings.env.get(f"{service.env_prefix}WORKERS", "").strip()
    if own.isdigit() and 1 <= int(own) <= 64:
        workers = int(own)
    env = {f"{service.env_prefix}WORKERS": str(workers)}
    if workers > 1:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(settings.home / "metrics" / service.name)
    return env
