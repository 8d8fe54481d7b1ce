"""The development stack: embedded servers, every service, demo data, the `edu` command."""
