"""Floor 3, the Jupyter adapters: the kernel side (``kernel/``: display, the comm target, the re-run
rule, ipywidgets and anywidget views, ``diagnose()``), the server extension (``serverext/``: the
authenticated proxy), and the route table both share (``routes.py``).

Importing this package imports neither IPython nor jupyter_server: each subpackage imports its own.
"""
