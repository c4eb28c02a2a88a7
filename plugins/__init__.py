"""ganzoo's built-in plugins (import name ``ganzoo_plugins``). Each module here is
registered only through its entry point in pyproject.toml, as a third party's would be."""
