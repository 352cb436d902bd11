"""Every fixture lives in the suite's plugin (``tests/support/plugin.py``)."""

pytest_plugins = ("support.plugin",)
