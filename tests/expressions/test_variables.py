"""Every $-variable and $-function an expression can read."""

from __future__ import annotations

import pytest

from engine.errors import ExpressionError
from engine.sdk.items import Item
from tests.expressions.support import FakeRunData, ev


@pytest.mark.parametrize(("template", "expected"), [
    ("{{ $json.price }}", 2.5),
    ("{{ $json['price'] }}", 2.5),
    ("{{ $json.nested.deep.value }}", 42),
    ("{{ $json.missing }}", None),
    ("{{ $json.from }}", "x@y.z"),                      # Python keyword as field name
    ('{{ $json["_id"] }}', "abc"),
    ("{{ $json.tags[0] }}", "b"),
    ("{{ $json.tags[-1] }}", "c"),
    ("{{ $json.tags[10] }}", None),
    ("{{ $json.tags[1:] }}", ["a", "c"]),
    ("{{ $index }}", 1),
    ("{{ $itemIndex }}", 1),
    ("{{ $item.json.qty }}", 3),
    ("{{ $item.binary.file.mime_type }}", "application/pdf"),
    ("{{ $binary.file.file_name }}", "a.pdf"),
    ("{{ $vars.region }}", "eu"),
    ("{{ $vars.limit * 2 }}", 10),
    ("{{ $env.API_BASE + '/v1' }}", "https://api.example.com/v1"),
    ("{{ $env['API_BASE'] }}", "https://api.example.com"),
    ("{{ $workflow.name }}", "Orders"),
    ("{{ $workflow.active }}", True),
    ("{{ $execution.id }}", "ex1"),
    ("{{ $execution.mode }}", "manual"),
    ("{{ $response.next }}", "cursor-2"),               # from ctx.extra
])
def test_variables(template: str, expected: object) -> None:
    assert ev(template) == expected


def test_binary_exposes_metadata_only() -> None:
    assert ev("{{ $binary }}") == {"file": {"mime_type": "application/pdf",
                                            "file_name": "a.pdf", "file_size": 10}}
    assert ev("{{ $binary.file.data }}") is None
    assert ev("{{ $input.all()[1].binary.file.mime_type }}") == "application/octet-stream"
    assert "data" not in ev("{{ $input.all()[1].binary.file }}")


def test_input_view() -> None:
    assert ev("{{ $input.all() }}") == [
        {"json": {"price": 10, "name": "Widget"}},
        {"json": {"price": 2.5, "name": "Gadget"},
         "binary": {"file": {"mime_type": "application/octet-stream", "file_name": None,
                             "file_size": 1}}}]
    assert ev("{{ $input.first().json.name }}") == "Widget"
    assert ev("{{ $input.last().json.name }}") == "Gadget"
    assert ev("{{ $input.item.json.qty }}") == 3
    assert ev("{{ $input.json.qty }}") == 3
    assert ev("{{ $input.items.length }}") == 2
    assert ev("{{ sum([i.json.price for i in $input.all()]) }}") == 12.5
    assert ev("{{ $input.first() }}", items=[]) is None


def test_node_paired_item_and_fallbacks() -> None:
    assert ev('{{ $node("Fetch").json.id }}', item_index=0) == 3   # paired: 0 -> 2
    assert ev('{{ $node("Fetch").json.id }}', item_index=1) == 1   # paired: 1 -> 0
    assert ev('{{ $node("Fetch").json.id }}', item_index=2) == 3   # no lineage: same index
    assert ev('{{ $node("Fetch").json.id }}', item_index=9) == 1   # else the first
    assert ev('{{ $("Fetch").json.name }}', item_index=0) == "three"
    assert ev('{{ $node["Fetch"].json.name }}', item_index=0) == "three"
    assert ev('{{ $node("Fetch").item }}', item_index=0) == {"json": {"id": 3,
                                                                     "name": "three"}}
    assert ev('{{ $node("Fetch").paired_item().json.id }}', item_index=1) == 1


def test_node_items() -> None:
    assert ev('{{ $node("Fetch").all().length }}') == 3
    assert ev('{{ $node("Fetch").items[1].json.id }}') == 2
    assert ev('{{ $node("Fetch").first().json.id }}') == 1
    assert ev('{{ $node("Fetch").last().json.id }}') == 3
    assert ev('{{ $node("Fetch").item_at(1).json.id }}') == 2
    assert ev('{{ $node("IF").all("true")[0].json.ok }}') is True
    assert ev('{{ $node("IF").all("false") }}') == []
    assert ev('{{ $node("Empty").first() }}') is None
    assert ev('{{ $node("File").binary.data.file_name }}') == "a.txt"
    assert ev('{{ $node("Fetch").is_executed }}') is True
    assert ev('{{ $node("Nope").is_executed }}') is False
    assert ev('{{ $node("Fetch").name }}') == "Fetch"


def test_node_that_has_not_run() -> None:
    with pytest.raises(ExpressionError, match="Node 'Nope' has not run yet"):
        ev('{{ $node("Nope").json }}')
    with pytest.raises(ExpressionError, match="has not run yet"):
        ev('{{ $node("Fetch").json }}', run_data=None)
    with pytest.raises(ExpressionError, match="returned no items"):
        ev('{{ $node("Empty").json }}')


def test_node_follows_lineage_from_run_data() -> None:
    rd = FakeRunData({"A": {"main": [Item({"v": "a0"}), Item({"v": "a1"})]}},
                     paired={("A", 0): 1})
    assert ev('{{ $node("A").json.v }}', run_data=rd, item_index=0) == "a1"


def test_now_and_today_are_aware_in_workflow_timezone() -> None:
    assert ev("{{ $now }}") == "2024-03-10T13:30:15+01:00"
    assert ev("{{ $today }}") == "2024-03-10T00:00:00+01:00"
    assert ev("{{ $now.hour }}") == 13
    assert ev("{{ $now }}", timezone="UTC") == "2024-03-10T12:30:15+00:00"
    assert ev("{{ $now.timezone }}") == "Europe/Berlin"


def test_now_defaults_to_the_current_time() -> None:
    value = ev("{{ $now.year }}", now=None)
    assert isinstance(value, int) and value >= 2024


def test_if_if_empty_coalesce() -> None:
    assert ev("{{ $if($json.price > 2, 'high', 'low') }}") == "high"
    assert ev("{{ $if(false, 'x') }}") is None
    assert ev("{{ $ifEmpty($json.empty, 'default') }}") == "default"
    assert ev("{{ $ifEmpty($json.name, 'default') }}") == "  Ann Smith "
    # the branch not taken is not evaluated
    assert ev('{{ $if(true, 1, $node("Nope").json) }}') == 1
    assert ev('{{ $json.price ?? $node("Nope").json }}') == 2.5


def test_unknown_variable_lists_the_available_ones() -> None:
    with pytest.raises(ExpressionError) as err:
        ev("{{ $foo }}")
    msg = str(err.value)
    assert "Unknown variable '$foo'" in msg and "$json" in msg and "$response" in msg


def test_env_that_is_not_allow_listed() -> None:
    with pytest.raises(ExpressionError, match="AURA_EXEC_ENV_ALLOW"):
        ev("{{ $env.SECRET }}")


@pytest.mark.parametrize("template", ["{{ $node }}", "{{ $json() }}", "{{ $node(1, 2) }}",
                                      "{{ $if(1) }}", "{{ $ }}"])
def test_misused_dollar_names(template: str) -> None:
    with pytest.raises(ExpressionError):
        ev(template)
