"""A workflow given by name means the same workflow on every path that takes a name
('aura run NAME' and the API's lookups, an error workflow setting, Execute Workflow by
name): the live one before an archived one of that name, then the oldest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.errors import NotFoundError
from engine.services import workflows as wf_services
from engine.services.principals import SYSTEM, RunAs, find_workflow
from engine.services.store import get_store, reset_store
from engine.services.workflow_access import error_workflow_in
from tests.store.factories import make_workflow


@pytest.fixture
def store(data_dir: Path) -> Iterator[Any]:
    reset_store()
    yield get_store()
    reset_store()


def test_a_name_means_the_oldest_live_workflow_everywhere(store: Any) -> None:
    archived = store.workflows.create(make_workflow("Twin"))
    live = store.workflows.create(make_workflow("Twin"))
    store.workflows.create(make_workflow("Twin"))
    store.workflows.archive(archived.id)

    assert store.workflows.get_by_name("Twin").id == live.id
    assert wf_services.find("Twin").id == live.id
    assert error_workflow_in("Twin", None).id == live.id
    assert find_workflow(SYSTEM, "Twin").id == live.id
    assert find_workflow(RunAs.trigger(None), "Twin").id == live.id

    store.workflows.archive(archived.id, archived=False)  # the oldest is live again
    assert error_workflow_in("Twin", None).id == archived.id
    assert find_workflow(RunAs.trigger(None), "Twin").id == archived.id
    with pytest.raises(NotFoundError, match="same project"):
        error_workflow_in("Twin", "another-project")
