"""The jupyter-server extension of trame-jupyter: an authenticated proxy to servers that kernels started.

Enabled on install by ``jupyter-config/jupyter_server_config.d/trame_jupyter.json``.
"""

from .app import TrameJupyterExtension

__all__ = ["TrameJupyterExtension"]
