"""EduPlatform web app: server-rendered pages over the services ' HTTP APIs."""
