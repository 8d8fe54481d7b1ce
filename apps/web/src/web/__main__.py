"""`python -m web` runs the web app (port 3001, or `EDU_WEB_PORT`)."""

import uvicorn
from edu_common.settings import load_settings

from web.settings import WebSettings

if __name__ == "__main__":
    settings = load_settings(WebSettings)
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=10,
    )
