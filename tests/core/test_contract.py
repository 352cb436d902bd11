"""The contract with the front ends: its constants are read off the module, and its typed messages name them."""

import json
import typing

from trame_jupyter.core import contract


def literal(shape: type, field: str) -> str:
    (value,) = typing.get_args(typing.get_type_hints(shape)[field])
    return value


def test_as_dict_holds_every_upper_case_constant_and_nothing_else(monkeypatch):
    names = set(contract.as_dict())
    assert names == {name for name in vars(contract) if name.isupper() and not name.startswith("_")}
    monkeypatch.setattr(contract, "NEW_CONSTANT", ("a", "b"), raising=False)
    assert contract.as_dict()["NEW_CONSTANT"] == ["a", "b"]  # found without a hand list
    json.dumps(contract.as_dict())  # plain data: what the TypeScript side compares


def test_the_typed_messages_use_the_contract_names():
    assert literal(contract.CommFrameMessage, "type") == contract.COMM_MESSAGE["FRAME"]
    assert literal(contract.CommFetchMessage, "type") == contract.COMM_MESSAGE["FETCH"]
    assert literal(contract.CommFetchReply, "type") == contract.COMM_MESSAGE["FETCH_REPLY"]
    assert literal(contract.WidgetChannelOpen, "type") == contract.MESSAGE_COMM_OPEN
    assert literal(contract.WidgetChannelClose, "type") == contract.MESSAGE_COMM_CLOSE
    assert contract.COMM_OPEN_BATCHES in typing.get_type_hints(contract.CommOpenData)
    assert contract.CommOpenData.__required_keys__ == {"server_id"}
    assert set(contract.CommFetchReply.__annotations__) >= {"id", "status", "mime", "reason"}
    assert tuple(typing.get_type_hints(contract.Bundle)) == contract.BUNDLE_FIELDS
