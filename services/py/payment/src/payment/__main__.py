"""`python -m payment` runs the service."""

from edu_common.serve import serve
from edu_common.settings import load_settings

from payment.settings import PaymentSettings

if __name__ == "__main__":
    serve("payment.app:create_app", load_settings(PaymentSettings))
