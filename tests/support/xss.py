"""An XSS corpus for snapshots and the checks that they stay inert: parsed (allowed elements, no handler, safe
URLs and CSS) and in Chromium (dialogs, console and title watched while the page is settled and used).
Shared by the snapshot tests (``tests/core/snapshot``) and the exported-notebook tests (``tests/jupyter/kernel``).
"""

from __future__ import annotations

import base64
import contextlib
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

from trame_jupyter import Server
from trame_jupyter.core.snapshot import render_snapshot
from trame_jupyter.jupyter.kernel import display
from trame_jupyter.server.view import View

_SVG_DOCUMENT = "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'><script>alert(2)</script></svg>"
SVG_B64 = base64.b64encode(_SVG_DOCUMENT.encode()).decode()
HTML_B64 = base64.b64encode(b"<script>alert(1)</script>").decode()
PNG_B64 = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(16)).decode()
BENIGN = "benign label 7342"

# Vectors used as template markup (mode "static"), and as state values (modes "text" and "bound").
MARKUP = [
    # What survived the attack run on the deny-list renderer.
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "<iframe srcdoc=\"<img src=x onerror=console.log('XSS')>\"></iframe>",
    "<iframe :srcdoc=\"'<script>alert(1)</script>'\"></iframe>",
    '<img src="x" :onerror="\'alert(1)\'">',
    '<img src="x" v-bind:onerror="\'console.log(`XSS`)\'">',
    "<svg v-bind:onload=\"'alert(1)'\"></svg>",
    "<body v-bind:onload=\"'alert(1)'\">b</body>",
    f'<iframe src="data:image/svg+xml;base64,{SVG_B64}"></iframe>',
    f'<embed src="data:image/svg+xml;base64,{SVG_B64}">',
    f'<object data="data:image/svg+xml;base64,{SVG_B64}"></object>',
    '<svg><animate xlink:href="#x1" attributeName="href" values="javascript:alert(1)"/>'
    '<a id="x1"><text x="20" y="20">click</text></a></svg>',
    # Script elements, case and parser tricks.
    "<script>alert(1)</script>",
    "<SCRIPT>console.log('XSS')</SCRIPT>",
    "<ScRiPt>document.title='XSS'</sCrIpT>",
    '<script src="data:text/javascript,alert(1)"></script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>alert(1)//<</script>",
    "<script/xss>alert(1)</script>",
    '<script type="module">alert(1)</script>',
    # Event handlers.
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=\"console.log('XSS')\">",
    '<img src=x onerror="&#97;lert(1)">',
    '<img src="x" onerror=\'document.title="XSS"\'>',
    "<img/src=x/onerror=alert(1)>",
    "<img src=x onerror\n=alert(1)>",
    "<img src=`x`onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg/onload=console.log('XSS')>",
    "<body onload=alert(1)>",
    "<body onpageshow=\"console.log('XSS')\">",
    "<input onfocus=alert(1) autofocus>",
    "<input autofocus onfocusin=\"document.title='XSS'\">",
    "<select onfocus=alert(1) autofocus><option>x</option></select>",
    "<textarea onfocus=alert(1) autofocus>t</textarea>",
    "<details open ontoggle=alert(1)>d</details>",
    "<details open ontoggle=\"console.log('XSS')\"><summary>s</summary>d</details>",
    "<video><source onerror=alert(1)></video>",
    "<video src=x onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)></audio>",
    '<div onmouseover=alert(1) style="width:100%;height:40px">hover</div>',
    "<marquee onstart=alert(1)>m</marquee>",
    '<style>@keyframes k{}</style><div style="animation-name:k" onanimationstart=alert(1)>a</div>',
    "<iframe onload=alert(1)></iframe>",
    "<object onerror=alert(1) data=x></object>",
    "<div onclick=alert(1) id=clickme>click</div>",
    '<button onclick="alert(1)">b</button>',
    "<a onmouseover=alert(1)>m</a>",
    "<dialog open onclose=alert(1)>d</dialog>",
    # javascript: and data: URLs, with encodings.
    '<a href="javascript:alert(1)">a</a>',
    '<a href="jAvAsCrIpT:alert(1)">a</a>',
    '<a href="  javascript:alert(1)">a</a>',
    '<a href="java\tscript:alert(1)">a</a>',
    '<a href="java\nscript:alert(1)">a</a>',
    '<a href="java&#x09;script:alert(1)">a</a>',
    '<a href="java&#x0A;script:alert(1)">a</a>',
    '<a href="&#14;javascript:alert(1)">a</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">a</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">a</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116'
    '&#0000058alert(1)">a</a>',
    '<a href="javascript&colon;alert(1)">a</a>',
    '<a href="vbscript:msgbox(1)">a</a>',
    f'<a href="data:text/html;base64,{HTML_B64}">a</a>',
    '<a href="data:text/html,<script>alert(1)</script>">a</a>',
    '<a href="javascript:alert(1)" target="_blank">a</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    f'<embed src="data:text/html;base64,{HTML_B64}">',
    '<img src="javascript:alert(1)">',
    '<img dynsrc="javascript:alert(1)" lowsrc="javascript:alert(1)">',
    '<table background="javascript:alert(1)"><tr><td>t</td></tr></table>',
    '<form action="javascript:alert(1)"><button>b</button></form>',
    '<form><button formaction="javascript:alert(1)">b</button></form>',
    '<form id="f1"></form><button form="f1" formaction="javascript:alert(1)">b</button>',
    '<input type="image" src="javascript:alert(1)">',
    "<isindex type=image src=1 onerror=alert(1)>",
    '<math href="javascript:alert(1)">CLICK</math>',
    '<a xlink:href="javascript:alert(1)">x</a>',
    # SVG.
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    '<svg><a href="javascript:alert(1)"><rect width="50" height="50"/></a></svg>',
    '<svg><set attributeName="onmouseover" to="alert(1)"/></svg>',
    '<svg><animate onbegin="alert(1)" attributeName="x" dur="1s"/></svg>',
    '<svg><animateTransform onbegin="alert(1)" attributeName="transform" dur="1s"/></svg>',
    f'<svg><use href="data:image/svg+xml;base64,{SVG_B64}#x"/></svg>',
    '<svg><foreignObject><iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe></foreignObject></svg>',
    "<svg><style>@import 'javascript:alert(1)';</style></svg>",
    '<svg><image href="x" onerror="alert(1)"/></svg>',
    # Parser confusion (mutation XSS).
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<title><img src=x onerror=alert(1)></title>",
    "<textarea></textarea><img src=x onerror=alert(1)></textarea>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    '<noembed><img title="</noembed><img src onerror=alert(1)>"></noembed>',
    '<p title="</p><img src=x onerror=alert(1)>">t</p>',
    '<img """><script>alert(1)</script>">',
    "<select><template><img src=x onerror=alert(1)></template></select>",
    # Style sheets and style attributes.
    "<style>@import 'javascript:alert(1)';</style>",
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<div style="background-image: url(javascript:alert(1))">s</div>',
    '<div style="width: expression(alert(1))">s</div>',
    '<div style="behavior: url(x.htc); -moz-binding: url(x.xml#xss)">s</div>',
    '<div style="background:url(&quot;javascript:alert(1)&quot;)">s</div>',
    '<div style="xss:expr/*XSS*/ession(alert(1))">s</div>',
    '<div style="background-image:\\0075\\0072\\006C(javascript:alert(1))">s</div>',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<link rel="import" href="data:text/html,<script>alert(1)</script>">',
    # Document-level elements.
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    f'<meta http-equiv="refresh" content="0;url=data:text/html;base64,{HTML_B64}">',
    '<base href="javascript:alert(1)//"><a href="x">relative</a>',
    '<base href="https://evil.example/">',
    '<portal src="javascript:alert(1)"></portal>',
    # Template injection and Vue directives.
    "{{ constructor.constructor('alert(1)')() }}",
    "{{ $el.ownerDocument.defaultView.alert(1) }}",
    "{{ _c.constructor('alert(1)')() }}",
    "{{ ''.constructor.constructor('alert(1)')() }}",
    "<div v-html=\"'<img src=x onerror=alert(1)>'\"></div>",
    "<div v-text=\"'<script>alert(1)</script>'\"></div>",
    "<a :href=\"'javascript:alert(1)'\">a</a>",
    "<a :href=\"'java' + 'script:alert(1)'\">a</a>",
    "<div :innerHTML=\"'<img src=x onerror=alert(1)>'\"></div>",
    '<v-btn onclick="alert(1)" href="javascript:alert(1)">go</v-btn>',
    '<x-foo onmouseover=alert(1) style="display:block">x</x-foo>',
    '<component is="script">alert(1)</component>',
    '<trame-template templatename="main"></trame-template>',
]

# Vectors that are attribute values: URLs, handler code, CSS, quote breakouts.
VALUES = [
    "javascript:alert(1)",
    "JaVaScRiPt:console.log('XSS')",
    " \t\njavascript:document.title='XSS'",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript&colon;alert(1)",
    "javascript://%0Aalert(1)",
    "vbscript:msgbox(1)",
    "livescript:alert(1)",
    f"data:text/html;base64,{HTML_B64}",
    "data:text/html,<script>alert(1)</script>",
    f"data:image/svg+xml;base64,{SVG_B64}",
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    f"DATA:image/SVG+xml;charset=utf-8;base64,{SVG_B64}",
    f"data:application/xhtml+xml;base64,{HTML_B64}",
    f'data:image/png;base64,{PNG_B64}" onerror="alert(1)',
    'x" onerror="alert(1)',
    "x' onerror='alert(1)",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "alert(1)",
    "console.log('XSS')",
    "document.title='XSS'",
    "<script>alert(1)</script>",
    "background-image: url(javascript:alert(1))",
    "width: expression(alert(1))",
    "x:expression(alert(1)); color: red",
    f"background: url(data:image/svg+xml;base64,{SVG_B64})",
    "-moz-binding: url(http://x.example/xss.xml#x)",
    "color: red; } body { background: url(javascript:alert(1)) }",
    "background: \\75 rl(javascript:alert(1))",
    "\\6A avascript:alert(1)",
    "javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>",
    'https://example.org/" onmouseover="alert(1)',
    "{{ constructor.constructor('alert(1)')() }}",
]

# A state value shown as text in every way a template shows text.
TEXT_TEMPLATE = (
    "<p>{{ v }}</p><p v-text='v'></p><div v-html='v'></div><textarea v-model='v'></textarea>"
    "<input v-model='v'><pre>{{ v }}</pre><select><option>{{ v }}</option></select><title>{{ v }}</title>"
    "<style>{{ v }}</style><noscript>{{ v }}</noscript><v-card>{{ v }}</v-card><li v-for='x in [v, v]'>{{ x }}</li>"
    "<button>{{ v }}</button><svg><text>{{ v }}</text></svg><option v-text='v'></option>"
)
# A state value bound to every attribute an attack would aim at.
BOUND_TEMPLATE = (
    "<a :href='v'>a</a><a v-bind:href='v' target='_blank'>b</a><img :src='v'><img :srcset='v'>"
    "<source :src='v' :srcset='v'><iframe :src='v'></iframe><iframe :srcdoc='v'></iframe>"
    "<img src='x' :onerror='v'><svg v-bind:onload='v'></svg><body v-bind:onload='v'>b</body>"
    "<div :style='v'>s</div><div :style='{ color: v, backgroundImage: v }'>t</div><button :formaction='v'>c</button>"
    "<form :action='v'><button>d</button></form><a :xlink:href='v'>e</a><object :data='v'></object><embed :src='v'>"
    "<div :class='v' :title='v' :id='v'>f</div><input :value='v' :type='v' :placeholder='v'>"
    "<v-btn :href='v' :onclick='v'>g</v-btn><a :href=\"'javascript:' + v\">h</a><a :href=\"v + ':'\">i</a>"
    "<div :onmouseover='v' :onfocus='v' tabindex='0' :autofocus='true'>j</div><details open :ontoggle='v'>k</details>"
    "<video :poster='v' :src='v'></video><meta http-equiv='refresh' :content=\"'0;url=' + v\"><base :href='v'>"
    '<img :src="utils.url(png, \'image/svg+xml\')"><img :src="utils.url(png, v)"><a :href="utils.url(png, v)">l</a>'
)


def static_value_template(value: str) -> str:
    """``value`` written as the static value of every dangerous attribute (escaped as a template would be)."""
    e = html.escape(value, quote=True)
    return (
        f'<a href="{e}">a</a><img src="{e}"><img srcset="{e}"><iframe src="{e}"></iframe>'
        f'<iframe srcdoc="{e}"></iframe><object data="{e}"></object><embed src="{e}"><img src="x" onerror="{e}">'
        f'<svg onload="{e}"></svg><div style="{e}">s</div><form action="{e}"><button formaction="{e}">b</button></form>'
        f'<svg><a xlink:href="{e}"><text>t</text></a></svg><input value="{e}" title="{e}">'
        f'<meta http-equiv="refresh" content="0;url={e}"><base href="{e}"><link rel="stylesheet" href="{e}">'
        f'<video poster="{e}"></video><source src="{e}" srcset="{e}">'
        f'<div onmouseover="{e}" tabindex="0" autofocus onfocus="{e}">d</div>'
    )


@dataclass(frozen=True)
class Case:
    id: str
    template: str
    state: dict[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        png = b"\x89PNG\r\n\x1a\n" + bytes(16)
        return render_snapshot({"trame__template_main": self.template, "png": png, **self.state})


def _cases(mode: str) -> list[Case]:
    if mode == "static":
        markup = [Case(f"static-markup-{i}", f"<div>{v}</div>") for i, v in enumerate(MARKUP)]
        return markup + [Case(f"static-value-{i}", static_value_template(v)) for i, v in enumerate(VALUES)]
    template = TEXT_TEMPLATE if mode == "text" else BOUND_TEMPLATE
    vectors = [("markup", v) for v in MARKUP] + [("value", v) for v in VALUES]
    return [Case(f"{mode}-{kind}-{i}", template, {"v": v}) for i, (kind, v) in enumerate(vectors)]


MODES = ("static", "text", "bound")
ALL_CASES = [case for mode in MODES for case in _cases(mode)]


# -- the output, parsed ----------------------------------------------------------------------------------

# Elements that must never be emitted (written here independently of the renderer's allow-list).
FORBIDDEN_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link", "form", "style",
    "svg", "math", "animate", "set", "animatetransform", "animatemotion", "use", "foreignobject", "image",
    "template", "noscript", "xmp", "plaintext", "noembed", "noframes", "portal", "title", "body", "html", "head",
    "video", "audio", "param", "isindex", "marquee", "dialog", "component",
}  # fmt: skip
FORBIDDEN_ATTRIBUTES = {
    "srcdoc", "formaction", "action", "xlink:href", "data", "background", "dynsrc", "lowsrc", "form", "autofocus",
    "poster", "content", "http-equiv", "is", "innerhtml",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "srcset", "poster", "action", "formaction", "data", "cite", "background"}
_RASTER_DATA = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]", re.IGNORECASE)
_BAD_CSS = re.compile(r"url\s*\(|expression|javascript|@import|binding|behavior|\\|position\s*:\s*fixed", re.I)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def _scheme_of(url: str) -> str:
    """The scheme a browser would read (controls and whitespace removed), or '' for a relative URL."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", unquote(url))  # decoding is stricter than a browser
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", cleaned)
    return match.group(1).lower() if match else ""


def inert_problems(output: str) -> list[str]:
    """Everything in ``output`` that could run script (an empty list for an inert snapshot)."""
    problems = []
    if "<script" in output.lower():
        problems.append("<script in the output")
    parser = _Elements()
    parser.feed(output)
    parser.close()
    for tag, attributes in parser.elements:
        if tag in FORBIDDEN_TAGS or "-" in tag or ":" in tag:
            problems.append(f"element <{tag}>")
        for name, value in attributes:
            value = value or ""
            if name.startswith("on") or name in FORBIDDEN_ATTRIBUTES:
                problems.append(f"attribute {name} on <{tag}>")
            if name in URL_ATTRIBUTES:
                urls = [part.strip().split(" ")[0] for part in value.split(", ")] if name == "srcset" else [value]
                for url in urls:
                    scheme = _scheme_of(url)
                    raster = tag in ("img", "source") and name in ("src", "srcset") and _RASTER_DATA.match(url.strip())
                    allowed = {"", "http", "https"} | ({"mailto"} if tag == "a" else set())
                    if scheme not in allowed and not (scheme == "data" and raster):
                        problems.append(f"{name}={url[:60]!r} on <{tag}>")
            # URLs are judged by the scheme a browser reads (a relative URL may hold "javascript:" in a path or
            # fragment, inert), text attributes (title, value) may hold any text: only CSS is searched.
            if name == "style" and _BAD_CSS.search(value):
                problems.append(f"style={value[:60]!r}")
    return problems


# -- the output, in Chromium ---------------------------------------------------------------------------

PAGE_URL = "https://snapshot.test/notebook.html"
PAGE_TITLE = "snapshot xss check"
# Runs once the page settled: every element is hovered, focused, clicked and sent the events handlers
# listen to. Links and forms are kept from navigating away unless their URL is javascript: (which must run
# if it is there, to be seen).
INTERACT = """() => {
  document.addEventListener('click', e => {
    const link = e.target.closest && e.target.closest('a, area');
    if (link && link.protocol !== 'javascript:') e.preventDefault();
  }, true);
  document.addEventListener('submit', e => {
    if (!/^\\s*javascript:/i.test(e.target.getAttribute('action') || '')) e.preventDefault();
  }, true);
  const events = ['mouseover', 'mouseenter', 'focus', 'focusin', 'error', 'load', 'toggle', 'animationstart',
                  'animationend', 'begin', 'start', 'close', 'pageshow'];
  for (const el of document.querySelectorAll('body *')) {
    for (const type of events) el.dispatchEvent(new Event(type, {bubbles: true}));
    if (typeof el.focus === 'function') el.focus();
    if (typeof el.click === 'function') el.click();
  }
}"""
# What the page's DOM holds that could run script, as the browser parsed it.
AUDIT = """([forbidden, scope]) => {
  const problems = [];
  for (const el of document.querySelectorAll(scope)) {
    const tag = el.localName;
    if (el.namespaceURI !== 'http://www.w3.org/1999/xhtml') problems.push('foreign element ' + tag);
    if (forbidden.includes(tag)) problems.push('element ' + tag);
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on') || name === 'srcdoc' || name === 'formaction' || name === 'action')
        problems.push(name + ' on ' + tag);
      if (['href', 'src', 'poster', 'data'].includes(name)) {
        const protocol = new URL(a.value, location.href).protocol;
        const raster = /^data:image\\/(png|jpeg|gif|webp)[;,]/i.test(a.value.trim()) && ['img', 'source'].includes(tag);
        if (!['http:', 'https:', 'mailto:'].includes(protocol) && !(protocol === 'data:' && raster))
          problems.push(name + '=' + a.value.slice(0, 40) + ' on ' + tag);
      }
      if (name === 'style' && /url\\(|expression|javascript/i.test(a.value)) problems.push('style ' + a.value);
    }
  }
  return problems;
}"""


@dataclass
class BrowserReport:
    dialogs: list[str]
    marker_logs: list[str]
    title: str
    dom_problems: list[str]
    text: str
    loaded: bool = True

    @property
    def fired(self) -> bool:
        # A changed title is script too (a javascript: URL that yields a string replaces the document), and
        # so is a page that never loads: with every request refused it loads at once unless dialogs block it.
        return bool(
            self.dialogs or self.marker_logs or self.title != PAGE_TITLE or self.dom_problems or not self.loaded
        )


def load_in_chromium(browser: Any, body: str, scope: str = "section *", settle_ms: int = 300) -> BrowserReport:
    """``body`` as a page of its own origin (no network), loaded, settled, interacted with; the elements
    matching ``scope`` (the snapshots) are audited."""
    from playwright.sync_api import Error as PlaywrightError

    document = f"<!doctype html><html><head><title>{PAGE_TITLE}</title></head><body>{body}</body></html>"
    context = browser.new_context()
    dialogs: list[str] = []
    logs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        with contextlib.suppress(PlaywrightError):  # its frame may be gone already
            dialog.dismiss()

    try:
        context.set_default_timeout(10_000)
        context.route(
            "**/*",
            lambda route: (
                route.fulfill(status=200, content_type="text/html", body=document)
                if route.request.url == PAGE_URL
                else route.abort()
            ),
        )
        page = context.new_page()
        page.on("dialog", on_dialog)
        page.on("console", lambda message: logs.append(message.text))
        try:
            page.goto(PAGE_URL, wait_until="load", timeout=5_000)
        except PlaywrightError:
            return BrowserReport(dialogs, [t for t in logs if t == "XSS"], "", [], "", loaded=False)
        page.wait_for_timeout(settle_ms)
        problems = page.evaluate(AUDIT, [sorted(FORBIDDEN_TAGS), scope])
        page.evaluate(INTERACT)
        page.wait_for_timeout(150)
        return BrowserReport(dialogs, [t for t in logs if t == "XSS"], page.title(), problems, page.inner_text("body"))
    finally:
        context.close()


def _page_of(cases: list[Case]) -> str:
    return "".join(f"<section>{case.render()}</section>" for case in cases)


# -- the text/html fallback of a display --------------------------------------------------------------------

HOSTILE_SRCS = [
    'x"><script>alert(1)</script>',
    "javascript:alert(1)",
    " jAvAsCrIpT:console.log('XSS')",
    "data:text/html,<script>alert(1)</script>",
    "http://localhost:1/index.html?a=1&b=</script><script>alert(1)</script>#secret=x",
]
HOSTILE_SERVER_ID = "a\"b'c><script>alert(1)</script>"


def _hostile_outputs() -> list[str]:
    server = Server("xss-live")
    server.state.update(
        {"trame__template_main": "<p>{{ label }}</p><div v-html='evil'></div>", "label": BENIGN, "evil": MARKUP[0]}
    )
    # Built directly, past ``View.of``'s validation: display.py must hold on its own.
    view = View(server, "main", height="</script><script>alert(1)</script>", width='1px;"><script>alert(2)</script>')
    snapshot = display.snapshot(view)
    outputs = [display.live_html(src, HOSTILE_SERVER_ID, view, snapshot) for src in HOSTILE_SRCS]
    outputs.append(display.static_html("<img src=x onerror=alert(1)><script>alert(2)</script>", stopped=True))
    outputs.append(display.live_html(HOSTILE_SRCS[0], HOSTILE_SERVER_ID, view, "<svg onload=alert(3)></svg>"))
    return outputs
