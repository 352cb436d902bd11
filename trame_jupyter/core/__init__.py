"""Floor 1, the core: wslink framing, the RPC envelope, reactive state, the controller, key translation,
elements that render Vue templates, inert snapshots, and the contract with the front ends.

No I/O policy, no web server, no Jupyter: everything above builds on these, nothing here imports upward
(``tests/test_layers.py``).
"""
