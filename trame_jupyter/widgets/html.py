"""Every standard HTML element as a widget class: ``html.Div``, ``html.Input``, ``html.Img`` …

Any keyword becomes an attribute (``type="range"``, ``aria_label="x"`` → ``aria-label``), with the
binding rules of ``widgets.core``.
"""

from __future__ import annotations

from typing import Any

from .core import AbstractElement


class HtmlElement(AbstractElement):
    """Base of the element classes below; ``_tag`` names the element."""

    _tag = "div"

    def __init__(self, children: Any = None, **kwargs: Any) -> None:
        super().__init__(self._tag, children, **kwargs)


class A(HtmlElement):
    """``<a>``"""

    _tag = "a"


class Abbr(HtmlElement):
    """``<abbr>``"""

    _tag = "abbr"


class Address(HtmlElement):
    """``<address>``"""

    _tag = "address"


class Area(HtmlElement):
    """``<area>``"""

    _tag = "area"


class Article(HtmlElement):
    """``<article>``"""

    _tag = "article"


class Aside(HtmlElement):
    """``<aside>``"""

    _tag = "aside"


class Audio(HtmlElement):
    """``<audio>``"""

    _tag = "audio"


class B(HtmlElement):
    """``<b>``"""

    _tag = "b"


class Base(HtmlElement):
    """``<base>``"""

    _tag = "base"


class Bdi(HtmlElement):
    """``<bdi>``"""

    _tag = "bdi"


class Bdo(HtmlElement):
    """``<bdo>``"""

    _tag = "bdo"


class Blockquote(HtmlElement):
    """``<blockquote>``"""

    _tag = "blockquote"


class Br(HtmlElement):
    """``<br>``"""

    _tag = "br"


class Button(HtmlElement):
    """``<button>``"""

    _tag = "button"


class Canvas(HtmlElement):
    """``<canvas>``"""

    _tag = "canvas"


class Caption(HtmlElement):
    """``<caption>``"""

    _tag = "caption"


class Cite(HtmlElement):
    """``<cite>``"""

    _tag = "cite"


class Code(HtmlElement):
    """``<code>``"""

    _tag = "code"


class Col(HtmlElement):
    """``<col>``"""

    _tag = "col"


class Colgroup(HtmlElement):
    """``<colgroup>``"""

    _tag = "colgroup"


class Data(HtmlElement):
    """``<data>``"""

    _tag = "data"


class Datalist(HtmlElement):
    """``<datalist>``"""

    _tag = "datalist"


class Dd(HtmlElement):
    """``<dd>``"""

    _tag = "dd"


class Del(HtmlElement):
    """``<del>``"""

    _tag = "del"


class Details(HtmlElement):
    """``<details>``"""

    _tag = "details"


class Dfn(HtmlElement):
    """``<dfn>``"""

    _tag = "dfn"


class Dialog(HtmlElement):
    """``<dialog>``"""

    _tag = "dialog"


class Div(HtmlElement):
    """``<div>``"""

    _tag = "div"


class Dl(HtmlElement):
    """``<dl>``"""

    _tag = "dl"


class Dt(HtmlElement):
    """``<dt>``"""

    _tag = "dt"


class Em(HtmlElement):
    """``<em>``"""

    _tag = "em"


class Embed(HtmlElement):
    """``<embed>``"""

    _tag = "embed"


class Fieldset(HtmlElement):
    """``<fieldset>``"""

    _tag = "fieldset"


class Figcaption(HtmlElement):
    """``<figcaption>``"""

    _tag = "figcaption"


class Figure(HtmlElement):
    """``<figure>``"""

    _tag = "figure"


class Footer(HtmlElement):
    """``<footer>``"""

    _tag = "footer"


class Form(HtmlElement):
    """``<form>``"""

    _tag = "form"


class H1(HtmlElement):
    """``<h1>``"""

    _tag = "h1"


class H2(HtmlElement):
    """``<h2>``"""

    _tag = "h2"


class H3(HtmlElement):
    """``<h3>``"""

    _tag = "h3"


class H4(HtmlElement):
    """``<h4>``"""

    _tag = "h4"


class H5(HtmlElement):
    """``<h5>``"""

    _tag = "h5"


class H6(HtmlElement):
    """``<h6>``"""

    _tag = "h6"


class Header(HtmlElement):
    """``<header>``"""

    _tag = "header"


class Hgroup(HtmlElement):
    """``<hgroup>``"""

    _tag = "hgroup"


class Hr(HtmlElement):
    """``<hr>``"""

    _tag = "hr"


class I(HtmlElement):  # noqa: E742 (the <i> element)
    """``<i>``"""

    _tag = "i"


class Iframe(HtmlElement):
    """``<iframe>``"""

    _tag = "iframe"


class Img(HtmlElement):
    """``<img>``"""

    _tag = "img"


class Input(HtmlElement):
    """``<input>``"""

    _tag = "input"


class Ins(HtmlElement):
    """``<ins>``"""

    _tag = "ins"


class Kbd(HtmlElement):
    """``<kbd>``"""

    _tag = "kbd"


class Label(HtmlElement):
    """``<label>``"""

    _tag = "label"


class Legend(HtmlElement):
    """``<legend>``"""

    _tag = "legend"


class Li(HtmlElement):
    """``<li>``"""

    _tag = "li"


class Link(HtmlElement):
    """``<link>``"""

    _tag = "link"


class Main(HtmlElement):
    """``<main>``"""

    _tag = "main"


class Map(HtmlElement):
    """``<map>``"""

    _tag = "map"


class Mark(HtmlElement):
    """``<mark>``"""

    _tag = "mark"


class Menu(HtmlElement):
    """``<menu>``"""

    _tag = "menu"


class Meter(HtmlElement):
    """``<meter>``"""

    _tag = "meter"


class Nav(HtmlElement):
    """``<nav>``"""

    _tag = "nav"


class Noscript(HtmlElement):
    """``<noscript>``"""

    _tag = "noscript"


class Object(HtmlElement):
    """``<object>``"""

    _tag = "object"


class Ol(HtmlElement):
    """``<ol>``"""

    _tag = "ol"


class Optgroup(HtmlElement):
    """``<optgroup>``"""

    _tag = "optgroup"


class Option(HtmlElement):
    """``<option>``"""

    _tag = "option"


class Output(HtmlElement):
    """``<output>``"""

    _tag = "output"


class P(HtmlElement):
    """``<p>``"""

    _tag = "p"


class Picture(HtmlElement):
    """``<picture>``"""

    _tag = "picture"


class Pre(HtmlElement):
    """``<pre>``"""

    _tag = "pre"


class Progress(HtmlElement):
    """``<progress>``"""

    _tag = "progress"


class Q(HtmlElement):
    """``<q>``"""

    _tag = "q"


class Rp(HtmlElement):
    """``<rp>``"""

    _tag = "rp"


class Rt(HtmlElement):
    """``<rt>``"""

    _tag = "rt"


class Ruby(HtmlElement):
    """``<ruby>``"""

    _tag = "ruby"


class S(HtmlElement):
    """``<s>``"""

    _tag = "s"


class Samp(HtmlElement):
    """``<samp>``"""

    _tag = "samp"


class Search(HtmlElement):
    """``<search>``"""

    _tag = "search"


class Section(HtmlElement):
    """``<section>``"""

    _tag = "section"


class Select(HtmlElement):
    """``<select>``"""

    _tag = "select"


class Slot(HtmlElement):
    """``<slot>``"""

    _tag = "slot"


class Small(HtmlElement):
    """``<small>``"""

    _tag = "small"


class Source(HtmlElement):
    """``<source>``"""

    _tag = "source"


class Span(HtmlElement):
    """``<span>``"""

    _tag = "span"


class Strong(HtmlElement):
    """``<strong>``"""

    _tag = "strong"


class Sub(HtmlElement):
    """``<sub>``"""

    _tag = "sub"


class Summary(HtmlElement):
    """``<summary>``"""

    _tag = "summary"


class Sup(HtmlElement):
    """``<sup>``"""

    _tag = "sup"


class Svg(HtmlElement):
    """``<svg>``"""

    _tag = "svg"


class Table(HtmlElement):
    """``<table>``"""

    _tag = "table"


class Tbody(HtmlElement):
    """``<tbody>``"""

    _tag = "tbody"


class Td(HtmlElement):
    """``<td>``"""

    _tag = "td"


class Template(HtmlElement):
    """``<template>``"""

    _tag = "template"


class Textarea(HtmlElement):
    """``<textarea>``"""

    _tag = "textarea"


class Tfoot(HtmlElement):
    """``<tfoot>``"""

    _tag = "tfoot"


class Th(HtmlElement):
    """``<th>``"""

    _tag = "th"


class Thead(HtmlElement):
    """``<thead>``"""

    _tag = "thead"


class Time(HtmlElement):
    """``<time>``"""

    _tag = "time"


class Tr(HtmlElement):
    """``<tr>``"""

    _tag = "tr"


class Track(HtmlElement):
    """``<track>``"""

    _tag = "track"


class U(HtmlElement):
    """``<u>``"""

    _tag = "u"


class Ul(HtmlElement):
    """``<ul>``"""

    _tag = "ul"


class Var(HtmlElement):
    """``<var>``"""

    _tag = "var"


class Video(HtmlElement):
    """``<video>``"""

    _tag = "video"


class Wbr(HtmlElement):
    """``<wbr>``"""

    _tag = "wbr"


# Spellings used by trame code.
TextArea = Textarea
ColGroup = Colgroup
OptGroup = Optgroup
DataList = Datalist
FigCaption = Figcaption
HGroup = Hgroup
TBody = Tbody
THead = Thead
TFoot = Tfoot
