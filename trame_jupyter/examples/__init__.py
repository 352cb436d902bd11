"""Small example apps (run them with ``python -m trame_jupyter.examples.<name>``)."""
