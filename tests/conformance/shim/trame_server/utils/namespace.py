from trame_jupyter.core.translator import Translator

__all__ = ["Translator"]
