"""Stop and Error: the error type and details users see in the execution and error workflow."""

from __future__ import annotations

from engine.sdk.testing import NodeHarness


def test_error_type_is_stop_and_error() -> None:
    res = NodeHarness("core.stop_and_error").run({"message": "Bad data"}, [{"a": 1}])
    assert res.error is not None
    assert res.error.message == "Bad data"
    assert getattr(res.error, "error_type", None) == "StopAndError"


def test_error_object_is_kept_as_details() -> None:
    obj = {"message": "Payment refused", "code": 402}
    res = NodeHarness("core.stop_and_error").run({"error_type": "object", "error_object": obj},
                                                 [{"a": 1}])
    assert res.error is not None and res.error.message == "Payment refused"
    assert res.error.details == obj


def test_route_policy_puts_items_on_error_output() -> None:
    res = NodeHarness("core.stop_and_error").run({"message": "stop"}, [{"a": 1}],
                                                 on_error="route")
    assert res.error is None
    [item] = res.json("error")
    assert item["a"] == 1 and "stop" in item["error"]["message"]
