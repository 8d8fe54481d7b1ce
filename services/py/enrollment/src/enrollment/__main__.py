"""`python -m enrollment` runs the service."""

from edu_common.serve import serve
from edu_common.settings import load_settings

from enrollment.settings import EnrollmentSettings

if __name__ == "__main__":
    serve("enrollment.app:create_app", load_settings(EnrollmentSettings))
