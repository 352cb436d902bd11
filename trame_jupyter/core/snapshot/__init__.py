"""Static snapshots: a layout rendered to inert HTML from a state, for outputs that cannot run the app.

A saved notebook opened without a kernel (nbconvert, GitHub, nbviewer, an untrusted notebook) shows this
instead of a dead frame. ``expressions`` evaluates the template expressions a page would evaluate;
``render`` walks the template; ``sanitize`` holds the allow-list both it and the final ``nh3`` pass apply.
"""

from .render import render_snapshot

__all__ = ["render_snapshot"]
