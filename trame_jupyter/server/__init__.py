"""Floor 2, the server and its transports: the ``Server`` an app holds, its start/stop life, the process
registry of servers by name, trame's protocol on a wslink endpoint, the channels that carry frames
(websocket, kernel comm), static files, layouts and views.

It builds on the core only; the Jupyter adapters attach to it through public hooks.
"""
