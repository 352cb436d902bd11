from trame_jupyter.translator import Translator

__all__ = ["Translator"]
