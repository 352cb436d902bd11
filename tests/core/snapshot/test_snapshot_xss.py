"""A static snapshot is inert HTML, whatever its template and state hold: an XSS corpus, checked twice.

Every vector is tried as static template markup, as a state value shown as text (``{{ }}``, ``v-text``,
``v-html`` …) and as a state value bound to attributes (``:src``, ``:srcdoc``, ``:onerror`` …). The output
is checked by parsing it (allowed elements, no handler, no ``srcdoc``, safe URL schemes and CSS) and in
Chromium: every case rendered into one page per mode, loaded, settled and interacted with, while dialogs,
a ``console.log('XSS')`` and ``document.title = 'XSS'`` are watched for. A control page of raw vectors
proves the browser check sees an attack when there is one.
"""

from __future__ import annotations

import re

import pytest
from support.xss import (
    ALL_CASES,
    BENIGN,
    BOUND_TEMPLATE,
    MARKUP,
    MODES,
    PAGE_TITLE,
    PNG_B64,
    TEXT_TEMPLATE,
    VALUES,
    Case,
    _cases,
    _hostile_outputs,
    _page_of,
    inert_problems,
    load_in_chromium,
)

from trame_jupyter import Server
from trame_jupyter.core.snapshot import render_snapshot


def test_the_corpus_is_large():
    assert len(MARKUP) + len(VALUES) >= 80
    assert len(ALL_CASES) >= 3 * 80


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.id)
def test_snapshot_output_is_inert(case):
    output = case.render()
    assert inert_problems(output) == [], output


def test_the_html_check_catches_what_it_must():
    """The parsed check itself: each kind of unsafe output is reported."""
    for unsafe in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=x OnError=alert(1)>",
        '<iframe srcdoc="x"></iframe>',
        '<div srcdoc="x"></div>',
        '<a href="java\tscript:alert(1)">a</a>',
        '<a href="data:text/html,x">a</a>',
        '<img src="data:image/svg+xml,x">',
        '<div style="background: url(x)">s</div>',
        "<v-btn>b</v-btn>",
        '<svg><animate attributeName="href" values="javascript:alert(1)"/></svg>',
    ]:
        assert inert_problems(unsafe), unsafe
    assert inert_problems(f'<img src="data:image/png;base64,{PNG_B64}"><a href="mailto:a@b.c">m</a><p>t</p>') == []


def test_benign_content_survives_next_to_the_vectors():
    state = {"label": BENIGN, "v": "<script>alert(1)</script>"}
    template = "<p id='benign'>{{ label }}</p>" + BOUND_TEMPLATE + TEXT_TEMPLATE
    output = render_snapshot({"trame__template_main": template, **state})
    assert f'<p id="benign">{BENIGN}</p>' in output
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in output  # shown as text
    assert inert_problems(output) == []


@pytest.mark.browser
def test_the_browser_check_sees_an_attack(browser):
    """Control: raw vectors in the same harness raise a dialog, log the marker, set the title, fail the audit."""
    raw = (
        "<img src=x onerror=\"alert('control')\"><img src=x onerror=\"console.log('XSS')\">"
        "<a href=\"javascript:void(document.title='XSS')\">j</a>"
    )
    report = load_in_chromium(browser, raw, scope="body *")
    assert set(report.dialogs) == {"control"}  # on load, and again when the check sends "error"
    assert "XSS" in report.marker_logs
    assert report.title == "XSS"
    assert report.dom_problems


@pytest.mark.browser
@pytest.mark.parametrize("mode", MODES)
def test_no_vector_runs_in_chromium(browser, mode):
    cases = [Case("benign", "<p>{{ label }}</p>", {"label": BENIGN}), *_cases(mode)]
    report = load_in_chromium(browser, _page_of(cases))
    if report.fired:  # name (up to 10 of) the cases that fire, one page each
        culprits: list[str] = []
        for case in cases[1:]:
            if len(culprits) < 10 and load_in_chromium(browser, _page_of([case]), settle_ms=100).fired:
                culprits.append(case.id)
        pytest.fail(f"script ran or could run: {report} — cases {culprits}")
    assert report.title == PAGE_TITLE
    assert BENIGN in report.text


def test_view_sizes_cannot_break_out_of_the_script():
    server = Server("xss-view")
    with pytest.raises(ValueError):
        server.view(height="</script><script>alert(1)</script>")
    with pytest.raises(ValueError):
        server.view(width='100%"><script>alert(1)</script>')
    with pytest.raises(ValueError):
        server.view(height="10px; background: url(javascript:alert(1))")


def test_live_html_escapes_every_value():
    outputs = _hostile_outputs()
    for output in outputs:
        assert output.lower().count("<script") == output.lower().count("</script") <= 1  # the display's own
        assert all("alert" not in script for script in re.findall(r"<script>(.*?)</script>", output, re.DOTALL))
        assert "javascript:" not in output.lower().replace(" ", "")
        assert "data:text/html" not in output
        assert inert_problems(output.split('<iframe id="')[0]) == []  # the snapshot part
    assert 'src="about:blank"' in outputs[1] and 'src="about:blank"' in outputs[3]
    assert 'data-server-id="a&quot;b&#x27;c&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in outputs[0]
    assert "width: 100%;" in outputs[0] and "fixed=null" in outputs[0]  # invalid sizes fall back
    assert BENIGN in outputs[0]


@pytest.mark.browser
def test_live_html_with_hostile_values_runs_no_script(browser):
    report = load_in_chromium(browser, "".join(_hostile_outputs()), scope=".trame-jupyter-snapshot *")
    assert report.dialogs == [] and report.marker_logs == [] and report.title == PAGE_TITLE
    assert report.dom_problems == []
    assert BENIGN in report.text
