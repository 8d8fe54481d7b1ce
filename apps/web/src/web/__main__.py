"""`python -m web` runs the web app (port 3001, or `EDU_WEB_PORT`)."""

from edu_common.serve import serve
from edu_common.settings import load_settings

from web.settings import WebSettings

if __name__ == "__main__":
    serve("web.app:create_app", load_settings(WebSettings))
