"""Translator: how child-server names map to full state names."""

from trame_jupyter.core.state import State
from trame_jupyter.core.translator import Translator


def test_root_translator_is_identity():
    t = Translator()
    assert t.translate_key("a") == "a"
    assert t.reverse_translate_dict({"a": 1, "b__x": 2}) == {"a": 1, "b__x": 2}


def test_prefix_and_reserved_names():
    t = Translator(prefix="c_")
    assert t.translate_key("count") == "c_count"
    assert t.translate_key("trame__title") == "trame__title"
    assert t.translate_key("on_server_ready") == "on_server_ready"
    assert t.reverse_translate_key("c_count") == "count"


def test_explicit_translation_wins_over_prefix():
    t = Translator(prefix="c_")
    t.add_translation("shared", "global_shared")
    assert t.translate_key("shared") == "global_shared"
    assert t.reverse_translate_key("global_shared") == "shared"


def test_reverse_dict_drops_other_namespaces():
    t = Translator(prefix="c_")
    full = {"c_a": 1, "a": 2, "trame__busy": 0, "d_a": 3}
    assert t.reverse_translate_dict(full) == {"a": 1, "trame__busy": 0}


def test_js_expression_translates_existing_keys_only():
    root = State()
    child = State(Translator(prefix="c_"), internal=root)
    child.count = 1
    t = child.translator
    assert t.translate_js_expression(child, "count + 1") == "c_count + 1"
    assert t.translate_js_expression(child, "other + count") == "other + c_count"
    assert t.translate_js_expression(child, "count=count+1") == "c_count=c_count+1"


def test_vue_templating_only_inside_moustaches():
    root = State()
    child = State(Translator(prefix="c_"), internal=root)
    child.count = 1
    text = "count is {{ count }} and {{ count * 2 }}"
    assert child.translator.translate_vue_templating(child, text) == "count is {{ c_count }} and {{ c_count * 2 }}"
