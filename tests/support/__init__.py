"""What the tests share: the pytest plugin (``plugin.py``: every fixture) and the harnesses it builds on.

``pyproject.toml`` puts ``tests/`` on the path and loads the plugin, so a test imports its helpers as
``support.<module>`` and never from a conftest.
"""
