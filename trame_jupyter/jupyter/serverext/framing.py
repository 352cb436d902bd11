"""Whether Jupyter's pages may frame a server's page: the one header our proxy sets differently from Jupyter.

A view is an iframe of JupyterLab (or Notebook 7, Voilà) showing a page our proxy serves, so that page must
be framable by Jupyter's own pages. JupyterHub's single-user servers send ``frame-ancestors 'none'`` on every
answer (no hub page may frame another's), which blanks every view; the proxied pages get ``'self'`` instead,
jupyter-server's own default: pages of the Jupyter server's origin may frame them, no other site may. (Without
``c.JupyterHub.subdomain_host``, all users' servers share one origin; they can already script each other's
pages, so ``'self'`` opens nothing new there.) Any other policy an administrator set is kept as is.
"""

from __future__ import annotations

import re

_NO_FRAMING = re.compile(r"(^|;)(\s*)frame-ancestors\s+'none'\s*(?=;|$)", re.IGNORECASE)


def framable_by_jupyter(policy: str) -> str:
    """``policy`` with ``frame-ancestors 'none'`` (if it says so) turned into ``frame-ancestors 'self'``."""
    return _NO_FRAMING.sub(r"\1\2frame-ancestors 'self'", policy)
