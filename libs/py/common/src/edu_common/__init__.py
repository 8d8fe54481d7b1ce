"""The shared library every EduPlatform service is built from."""
