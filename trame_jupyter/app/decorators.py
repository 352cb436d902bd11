"""trame's method decorators for apps on trame_jupyter: ``trame.decorators`` → ``trame_jupyter.decorators``.

They are trame-common's own (``@TrameApp()`` class decorator, ``@change``, ``@trigger``,
``@controller.set/add/once/add_task``, ``@life_cycle.*``, ``@hot_reload``), so a class written for trame
binds the same way to a trame_jupyter server; ``@task`` is ``trame_jupyter.app.asynchronous.task``.
Needs trame-common (``pip install "trame-jupyter[trame]"``).
"""

from __future__ import annotations

from ._requirements import require
from .asynchronous import task

_klass = require("trame_common.decorators.klass", "trame_jupyter.decorators")
TrameApp = _klass.TrameApp
change = _klass.change
controller = _klass.controller
life_cycle = _klass.life_cycle
trigger = _klass.trigger
hot_reload = require("trame_common.decorators.hot_reload", "trame_jupyter.decorators").hot_reload

__all__ = ["TrameApp", "change", "controller", "hot_reload", "life_cycle", "task", "trigger"]
