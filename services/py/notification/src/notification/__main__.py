"""`python -m notification` runs the service."""

from edu_common.serve import serve
from edu_common.settings import load_settings

from notification.settings import NotificationSettings

if __name__ == "__main__":
    serve("notification.app:create_app", load_settings(NotificationSettings))
