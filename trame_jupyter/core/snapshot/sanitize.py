"""The allow-list of a static snapshot: which elements, attributes, URL schemes and CSS a snapshot may hold.

A snapshot is shown where nothing else protects the reader (GitHub, nbviewer, nbconvert exports, untrusted
notebooks) and its values come from any browser user, so it must be inert HTML. Two layers use the same
rules: ``render`` only ever emits what ``clean_attribute`` and ``ALLOWED_TAGS`` accept, and
``sanitize_html`` runs the finished HTML through the ``nh3`` sanitizer (html5ever + ammonia) with them, so
that a bug in the renderer still cannot emit script.

SVG and MathML are left out entirely, with their content: their animation, ``use`` and ``foreignObject``
elements and their parser quirks are the usual way around sanitizers, and a layout's text rarely lives there.
"""

from __future__ import annotations

import re
from typing import Any

import nh3

#: Elements a snapshot may contain (all presentational or inert form controls; no ``form``).
ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "button",
        "caption", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt",
        "em", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hgroup", "hr", "i", "img", "input", "ins", "kbd", "label", "legend", "li", "main", "mark", "meter",
        "nav", "ol", "optgroup", "option", "p", "picture", "pre", "progress", "q", "rp", "rt", "ruby", "s",
        "samp", "section", "select", "small", "source", "span", "strong", "sub", "summary", "sup", "table",
        "tbody", "td", "textarea", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
    }
)  # fmt: skip
#: Elements dropped together with their content: active or embedding elements, document metadata, raw
#: text elements, and SVG/MathML (see the module docstring).
DROPPED_TAGS = frozenset(
    {
        "applet", "area", "audio", "base", "basefont", "bgsound", "canvas", "embed", "fencedframe", "frame",
        "frameset", "head", "iframe", "link", "map", "math", "meta", "noembed", "noframes", "noscript",
        "object", "param", "plaintext", "portal", "script", "style", "svg", "template", "title", "track",
        "video", "xmp",
    }
)  # fmt: skip
#: The element that stands in for anything else (custom components such as ``v-card``, ``form``, ``body``
#: …): it keeps their text and safe attributes, not their behaviour.
NEUTRAL_TAG = "div"

GLOBAL_ATTRIBUTES = frozenset({"id", "class", "style", "title", "lang", "dir", "role", "hidden", "tabindex"})
TAG_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "target", "hreflang"}),
    "img": frozenset({"src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding"}),
    "source": frozenset({"src", "srcset", "sizes", "type", "media", "width", "height"}),
    "input": frozenset(
        {"type", "value", "checked", "disabled", "readonly", "min", "max", "step", "placeholder", "size"}
    ),
    "textarea": frozenset({"rows", "cols", "placeholder", "disabled", "readonly", "wrap"}),
    "select": frozenset({"multiple", "disabled", "size"}),
    "option": frozenset({"value", "selected", "disabled", "label"}),
    "optgroup": frozenset({"label", "disabled"}),
    "button": frozenset({"type", "disabled", "value"}),
    "label": frozenset({"for"}),
    "fieldset": frozenset({"disabled"}),
    "details": frozenset({"open"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "td": frozenset({"colspan", "rowspan", "headers"}),
    "th": frozenset({"colspan", "rowspan", "headers", "scope", "abbr"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "time": frozenset({"datetime"}),
    "del": frozenset({"datetime"}),
    "ins": frozenset({"datetime"}),
    "meter": frozenset({"value", "min", "max", "low", "high", "optimum"}),
    "progress": frozenset({"value", "max"}),
}
_ARIA = re.compile(r"aria-[a-z]+")
# No ``image`` (a URL), ``submit``, ``file`` or ``hidden``: only controls that show a value.
_INPUT_TYPES = frozenset(
    {"text", "number", "range", "checkbox", "radio", "email", "search", "tel", "url", "date", "time",
     "datetime-local", "month", "week", "color", "password"}
)  # fmt: skip
#: Attributes whose values are restricted to a few keywords (others are dropped, the default applies).
_KEYWORDS: dict[tuple[str, str], frozenset[str]] = {
    ("input", "type"): _INPUT_TYPES,
    ("button", "type"): frozenset({"button"}),
    ("a", "target"): frozenset({"_blank"}),
}

_WEB = frozenset({"http", "https"})
#: URL attributes and the schemes each accepts besides relative URLs; ``True``: also raster data images.
URL_RULES: dict[tuple[str, str], tuple[frozenset[str], bool]] = {
    ("a", "href"): (_WEB | {"mailto"}, False),
    ("img", "src"): (_WEB, True),
    ("img", "srcset"): (_WEB, True),
    ("source", "src"): (_WEB, True),
    ("source", "srcset"): (_WEB, True),
}
# What a browser's URL parser removes before it reads the scheme: C0 controls and spaces at either end,
# and tabs and newlines anywhere.
_URL_EDGES = "".join(chr(code) for code in range(0x21))
_URL_INNER_WHITESPACE = re.compile(r"[\t\n\r]")
_URL_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# PNG/JPEG/GIF/WebP only: an SVG image loaded as a document (iframe, object, new tab) can run script.
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp)(?:;[\w.+-]+(?:=[\w.+-]+)?)*,", re.IGNORECASE)
_SRCSET_DESCRIPTOR = re.compile(r"\s*(?:\d+(?:\.\d+)?[wx]\s*)?")

#: CSS properties a ``style`` may set: appearance, box model, text and flex/grid layout. Nothing that
#: takes the element out of the flow (``position``, offsets, ``z-index``) to cover the rest of the page.
_STYLE_PROPERTIES = frozenset(
    {
        "align-content", "align-items", "align-self", "aspect-ratio", "background", "background-color",
        "border", "border-bottom", "border-collapse", "border-color", "border-left", "border-radius",
        "border-right", "border-spacing", "border-style", "border-top", "border-width", "box-shadow",
        "box-sizing", "clear", "color", "column-gap", "cursor", "display", "flex", "flex-basis",
        "flex-direction", "flex-flow", "flex-grow", "flex-shrink", "flex-wrap", "float", "font", "font-size",
        "font-style", "font-variant", "font-weight", "gap", "grid-area", "grid-column", "grid-row",
        "grid-template-areas", "grid-template-columns", "grid-template-rows", "height", "justify-content",
        "justify-items", "justify-self", "letter-spacing", "line-height", "list-style-position",
        "list-style-type", "margin", "margin-bottom", "margin-left", "margin-right", "margin-top",
        "max-height", "max-width", "min-height", "min-width", "object-fit", "object-position", "opacity",
        "order", "outline", "overflow", "overflow-wrap", "overflow-x", "overflow-y", "padding",
        "padding-bottom", "padding-left", "padding-right", "padding-top", "place-content", "place-items",
        "row-gap", "table-layout", "text-align", "text-decoration", "text-indent", "text-overflow",
        "text-transform", "transform", "vertical-align", "visibility", "white-space", "width", "word-break",
        "word-spacing",
    }
)  # fmt: skip
# No quotes, backslashes (CSS escapes), colons, braces, semicolons, at-signs or non-ASCII: a value can
# then hold no URL, string, escape, rule or comment trick. Functions are checked by name on top.
_STYLE_VALUE = re.compile(r"[A-Za-z0-9_\s#%.,+\-*/!()]*")
_STYLE_FUNCTION = re.compile(r"([A-Za-z_-]+)\s*\(")
_STYLE_FUNCTIONS = frozenset(
    {"rgb", "rgba", "hsl", "hsla", "calc", "min", "max", "clamp", "minmax", "repeat", "fit-content",
     "translate", "translatex", "translatey", "rotate", "scale", "scalex", "scaley", "skew", "skewx", "skewy"}
)  # fmt: skip


def is_allowed_attribute(tag: str, name: str) -> bool:
    return name in GLOBAL_ATTRIBUTES or name in TAG_ATTRIBUTES.get(tag, ()) or bool(_ARIA.fullmatch(name))


def safe_url(value: str, schemes: frozenset[str], data_images: bool = False) -> str | None:
    """``value`` as the browser will read it if it is relative or uses one of ``schemes`` (or is a raster
    data image when ``data_images``), else ``None``."""
    url = _URL_INNER_WHITESPACE.sub("", value.strip(_URL_EDGES))
    if _URL_CONTROL.search(url):
        return None
    match = _SCHEME.match(url)
    if match is None:
        # Relative: refuse anything with a colon before the path, which some parser could take for a scheme.
        before_path = re.split(r"[/?#]", url, maxsplit=1)[0]
        return None if ":" in before_path else url
    scheme = match.group(1).lower()
    if scheme in schemes or (data_images and scheme == "data" and _DATA_IMAGE.match(url)):
        return url
    return None


def safe_srcset(value: str, schemes: frozenset[str], data_images: bool = False) -> str | None:
    """A ``srcset`` whose every candidate URL is safe (else ``None``); data URLs may contain commas."""
    candidates: list[str] = []
    position, end = 0, len(value)
    while True:
        while position < end and (value[position].isspace() or value[position] == ","):
            position += 1
        if position >= end:
            break
        start = position
        while position < end and not value[position].isspace():
            position += 1
        url, descriptor = value[start:position], ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            comma = value.find(",", position)
            descriptor, position = value[position : end if comma < 0 else comma], end if comma < 0 else comma
        checked = safe_url(url, schemes, data_images)
        if checked is None or not _SRCSET_DESCRIPTOR.fullmatch(descriptor):
            return None
        candidates.append(f"{checked} {descriptor.strip()}".strip())
    return ", ".join(candidates) or None


def safe_style(value: str) -> str | None:
    """The declarations of ``value`` that only set allowed properties to plain values, or ``None``."""
    kept = []
    for declaration in value.split(";"):
        name, colon, css = declaration.partition(":")
        name, css = name.strip().lower(), css.strip()
        if not colon or name not in _STYLE_PROPERTIES or not css or not _STYLE_VALUE.fullmatch(css):
            continue
        if "/*" in css or any(f.lower() not in _STYLE_FUNCTIONS for f in _STYLE_FUNCTION.findall(css)):
            continue
        kept.append(f"{name}: {css}")
    return "; ".join(kept) or None


def clean_attribute(tag: str, name: str, value: str) -> str | None:
    """The value attribute ``name`` of element ``tag`` may have in a snapshot, or ``None`` to drop it.

    ``tag`` and ``name`` are lower case; ``value`` is the decoded text (``""`` for a boolean attribute).
    """
    if tag not in ALLOWED_TAGS or not is_allowed_attribute(tag, name):
        return None
    keywords = _KEYWORDS.get((tag, name))
    if keywords is not None:
        return value.strip().lower() if value.strip().lower() in keywords else None
    if name == "style":
        return safe_style(value)
    rule = URL_RULES.get((tag, name))
    if rule is not None:
        return (safe_srcset if name == "srcset" else safe_url)(value, *rule)
    return value


def _nh3_attribute_filter(tag: str, name: str, value: str) -> str | None:
    if tag == "a" and name == "rel":
        return value  # the ``rel="noopener noreferrer"`` nh3 itself adds to links
    try:
        return clean_attribute(tag, name, value)
    except Exception:  # a filter that raises is reported as unraisable by nh3: drop instead
        return None


_NH3_OPTIONS: dict[str, Any] = {
    "tags": set(ALLOWED_TAGS),
    "clean_content_tags": set(DROPPED_TAGS),
    "attributes": {"*": set(GLOBAL_ATTRIBUTES), **{tag: set(names) for tag, names in TAG_ATTRIBUTES.items()}},
    "generic_attribute_prefixes": {"aria-"},
    "attribute_filter": _nh3_attribute_filter,
    "url_schemes": {"http", "https", "mailto", "data"},  # narrowed per attribute by the filter
    "strip_comments": True,
    "link_rel": "noopener noreferrer",
}
# A start tag of html5ever's serialization: values are always double-quoted and may hold raw ``<``/``>``.
_START_TAG = re.compile(r'<[A-Za-z][^>"]*(?:"[^"]*"[^>"]*)*>')
_QUOTED = re.compile(r'"[^"]*"')


def _escape_angle_brackets_in_attributes(markup: str) -> str:
    """html5ever leaves ``<`` and ``>`` raw in attribute values; escape them so that no text of the output
    reads as a tag to a careless consumer (a regex filter, a Markdown renderer)."""

    def start_tag(match: re.Match[str]) -> str:
        return _QUOTED.sub(lambda q: q.group(0).replace("<", "&lt;").replace(">", "&gt;"), match.group(0))

    return _START_TAG.sub(start_tag, markup)


def sanitize_html(markup: str) -> str:
    """``markup`` through ``nh3`` with the snapshot allow-list: the last pass before a snapshot is shown."""
    return _escape_angle_brackets_in_attributes(nh3.clean(markup, **_NH3_OPTIONS))
