"""Jupyter integration, kernel side: environment detection, registration with the proxy, displays,
the ipywidgets bridge and ``diagnose()``."""
