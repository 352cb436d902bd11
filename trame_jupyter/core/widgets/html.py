"""Every standard HTML element as a widget class: ``html.Div``, ``html.Input``, ``html.Img`` …

Any keyword becomes an attribute (``type="range"``, ``aria_label="x"`` → ``aria-label``), with the
binding rules of ``widgets.core``. The classes are made from the table of tags below: ``<tag>`` is
``html.Tag`` (``h1`` → ``H1``, ``textarea`` → ``Textarea``), plus the spellings trame code uses.
"""

from __future__ import annotations

from typing import Any

from .element import AbstractElement

_TAG_TABLE = """
    a abbr address area article aside audio b base bdi bdo blockquote br button canvas caption cite code col
    colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer
    form h1 h2 h3 h4 h5 h6 header hgroup hr i iframe img input ins kbd label legend li link main map mark
    menu meter nav noscript object ol optgroup option output p picture pre progress q rp rt ruby s samp
    search section select slot small source span strong sub summary sup svg table tbody td template textarea
    tfoot th thead time tr track u ul var video wbr
"""
#: The elements of the HTML standard that a layout may contain.
TAGS: tuple[str, ...] = tuple(_TAG_TABLE.split())

#: Other spellings of some classes, as trame's ``html`` module names them.
ALIASES = {
    "TextArea": "Textarea",
    "ColGroup": "Colgroup",
    "OptGroup": "Optgroup",
    "DataList": "Datalist",
    "FigCaption": "Figcaption",
    "HGroup": "Hgroup",
    "TBody": "Tbody",
    "THead": "Thead",
    "TFoot": "Tfoot",
}


class HtmlElement(AbstractElement):
    """Base of the element classes; ``_tag`` names the element."""

    _tag = "div"

    def __init__(self, children: Any = None, **kwargs: Any) -> None:
        super().__init__(self._tag, children, **kwargs)


def _element_class(tag: str) -> type[HtmlElement]:
    return type(tag.capitalize(), (HtmlElement,), {"_tag": tag, "__doc__": f"``<{tag}>``", "__module__": __name__})


ELEMENTS: dict[str, type[HtmlElement]] = {tag.capitalize(): _element_class(tag) for tag in TAGS}
ELEMENTS.update({alias: ELEMENTS[name] for alias, name in ALIASES.items()})
globals().update(ELEMENTS)

__all__ = ["ALIASES", "ELEMENTS", "TAGS", "HtmlElement", *ELEMENTS]
