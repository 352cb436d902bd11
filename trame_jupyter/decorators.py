"""trame's method decorators for apps on trame_jupyter: ``trame.decorators`` → ``trame_jupyter.decorators``.

The public name of ``trame_jupyter.app.decorators`` (the trame compatibility layer lives in ``app/``).
"""

from .app.decorators import TrameApp, change, controller, hot_reload, life_cycle, task, trigger

__all__ = ["TrameApp", "change", "controller", "hot_reload", "life_cycle", "task", "trigger"]
