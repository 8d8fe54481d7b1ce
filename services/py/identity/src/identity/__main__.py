"""`python -m identity` runs the service."""

from edu_common.serve import serve
from edu_common.settings import load_settings

from identity.settings import IdentitySettings

if __name__ == "__main__":
    serve("identity.app:create_app", load_settings(IdentitySettings))
