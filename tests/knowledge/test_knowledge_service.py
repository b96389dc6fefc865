"""Knowledge bases through the services, on SQLite (sqlite-vec) and PostgreSQL
(pgvector), with the real offline embedding model: what a user adds is found again by
a question in other words; other projects cannot see it; deleting frees the vectors."""

from __future__ import annotations

from types import ModuleType

import pytest

from engine.auth.types import Principal
from engine.errors import NotFoundError, PermissionDenied, ValidationError
from tests.knowledge.conftest import DOCS


def _filled(kb: ModuleType, who: Principal, name: str = "Handbook") -> str:
    base = kb.create_base(who, name, chunking={"size": 60, "overlap": 10})
    results = kb.add_documents(who, base.id, [{"name": n, "text": t} for n, t in DOCS.items()])
    assert [r["status"] for r in results] == ["added"] * len(DOCS)
    return str(base.id)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how do I set up the software on my computer?", "install.md"),
        ("what should I do so I don't lose my data?", "backup.md"),
        ("what do felines do all day long", "cats.txt"),
        ("how can other services start my workflow?", "webhooks.html"),
    ],
)
def test_a_paraphrased_question_finds_the_right_document_first(
    kb: ModuleType, erin: Principal, question: str, expected: str
) -> None:
    kb_id = _filled(kb, erin)
    hits = kb.search(erin, kb_id, question, k=3)
    assert hits[0]["document"] == expected
    assert hits[0]["score"] > hits[1]["score"]
    source = DOCS[expected]
    if expected.endswith((".md", ".txt")):  # offsets point into the document's text
        assert source[hits[0]["start"] : hits[0]["end"]] == hits[0]["text"]


def test_html_keeps_the_main_text_not_the_navigation(kb: ModuleType, erin: Principal) -> None:
    kb_id = _filled(kb, erin)
    texts = " ".join(h["text"] for h in kb.search(erin, kb_id, "webhook", k=4))
    assert "A webhook trigger starts a workflow" in texts
    assert "Pricing" not in texts and "Copyright" not in texts


def test_other_projects_cannot_see_a_knowledge_base(
    kb: ModuleType, erin: Principal, bob: Principal
) -> None:
    kb_id = _filled(kb, erin)
    assert [b.name for b in kb.list_bases(bob)] == []
    for call in (
        lambda: kb.get_base(bob, kb_id),
        lambda: kb.search(bob, kb_id, "backup"),
        lambda: kb.add_documents(bob, kb_id, [{"name": "x.txt", "text": "x"}]),
        lambda: kb.delete_base(bob, kb_id),
        lambda: kb.search(bob, "Handbook", "x"),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert kb.get_base(erin, kb_id).documents == len(DOCS)


def test_a_viewer_of_the_project_searches_but_cannot_change(
    kb: ModuleType, owner: Principal, erin: Principal
) -> None:
    from engine.services import auth
    from tests.auth.conftest import add_user

    team = auth.create_project(owner, "Team")
    viewer = add_user(auth, owner, "vera@example.com", "editor")
    auth.set_project_member(owner, team.id, viewer.user_id, "viewer")
    viewer = auth.principal_from_access_token(
        auth.login("vera@example.com", "Sturdy-Password-42").tokens.access_token
    )
    base = kb.create_base(owner, "Team notes", project_id=team.id)
    kb.add_documents(owner, base.id, [{"name": "cats.txt", "text": DOCS["cats.txt"]}])
    assert kb.search(viewer, base.id, "kitten")[0]["document"] == "cats.txt"
    with pytest.raises(PermissionDenied):
        kb.add_documents(viewer, base.id, [{"name": "x.txt", "text": "x"}])


def test_deleting_a_knowledge_base_frees_its_vectors(kb: ModuleType, owner: Principal) -> None:
    kb_id = _filled(kb, owner)
    assert kb.vector_count(owner, kb_id) == kb.get_base(owner, kb_id).chunks > 0
    kb.delete_base(owner, kb_id)
    assert kb.vector_count(owner, kb_id) == 0
    with pytest.raises(NotFoundError):
        kb.get_base(owner, kb_id)


def test_readding_a_document_replaces_it_only_when_it_changed(
    kb: ModuleType, erin: Principal
) -> None:
    kb_id = _filled(kb, erin)
    before = kb.get_base(erin, kb_id).chunks
    same = kb.add_documents(erin, kb_id, [{"name": "cats.txt", "text": DOCS["cats.txt"]}])
    assert same[0]["status"] == "unchanged"
    changed = kb.add_documents(
        erin, kb_id, [{"name": "cats.txt", "text": "Dogs bark at the postman."}]
    )
    assert changed[0]["status"] == "replaced"
    assert kb.get_base(erin, kb_id).chunks == before  # one chunk out, one in
    hits = kb.search(erin, kb_id, "what does a dog do?", k=5)
    texts = [h["text"] for h in hits if h["document"] == "cats.txt"]
    assert texts == ["Dogs bark at the postman."]


def test_bad_documents_fail_one_by_one_and_leave_nothing(kb: ModuleType, erin: Principal) -> None:
    base = kb.create_base(erin, "Mixed")
    results = kb.add_documents(
        erin,
        base.id,
        [
            {"name": "empty.txt", "text": "   "},
            {"name": "photo.png", "data": "iVBORw0KGgo="},
            {"name": "broken.pdf", "data": "bm90IGEgcGRm"},
            {"name": "good.txt", "text": "Invoices are sent on the first day of each month."},
        ],
    )
    assert [r["status"] for r in results] == ["failed", "failed", "failed", "added"]
    assert "no text" in results[0]["error"] and "unknown document type" in results[1]["error"]
    assert "not a readable PDF" in results[2]["error"]
    view = kb.get_base(erin, base.id)
    assert (view.documents, view.chunks) == (1, 1)
    assert [d["name"] for d in kb.list_documents(erin, base.id)] == ["good.txt"]


def test_names_and_settings_are_checked(kb: ModuleType, erin: Principal) -> None:
    kb.create_base(erin, "Handbook")
    with pytest.raises(Exception, match="already has a knowledge base named"):
        kb.create_base(erin, "Handbook")
    with pytest.raises(ValidationError, match="Unknown embedding model"):
        kb.create_base(erin, "Other", model="nope")
    with pytest.raises(ValidationError, match="Chunking needs"):
        kb.create_base(erin, "Other", chunking={"size": 5})
    renamed = kb.rename_base(erin, "Handbook", "Guide")
    assert renamed.name == "Guide" and [b.name for b in kb.list_bases(erin)] == ["Guide"]


def test_a_lost_sqlite_vector_file_is_rebuilt_from_the_stored_embeddings(
    kb: ModuleType, erin: Principal, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("the vector index file exists on SQLite only")
    from engine.knowledge.vectors import forget_index, index_for
    from engine.services.store import get_store

    kb_id = _filled(kb, erin)
    store = get_store()
    path = index_for(store).path  # type: ignore[attr-defined]
    forget_index(store)
    path.unlink()
    assert (
        kb.search(erin, kb_id, "what should I do so I don't lose my data?")[0]["document"]
        == "backup.md"
    )
    assert kb.vector_count(erin, kb_id) == kb.get_base(erin, kb_id).chunks


def test_full_text_and_hybrid_search_say_what_matched(kb: ModuleType, erin: Principal) -> None:
    kb_id = _filled(kb, erin)
    words = kb.search(erin, kb_id, "pg_dump nightly", mode="text", k=3)
    assert [h["document"] for h in words] == ["backup.md"]  # only it has the words
    assert words[0]["matched"] == ["text"] and words[0]["similarity"] is None
    both = kb.search(erin, kb_id, "keep the dumps safe every night", mode="hybrid", k=3)
    assert both[0]["document"] == "backup.md" and both[0]["matched"] == ["vector", "text"]
    assert both[0]["similarity"] > 0 and both[0]["score"] > both[1]["score"]
    assert kb.search(erin, kb_id, "zebra quantum", mode="text") == []
    with pytest.raises(ValidationError, match="Unknown search mode"):
        kb.search(erin, kb_id, "x", mode="fuzzy")


def test_a_changed_document_embeds_only_its_new_text(kb: ModuleType, erin: Principal) -> None:
    base = kb.create_base(erin, "Notes", chunking={"size": 20, "overlap": 0})
    paragraphs = [f"Paragraph {i} talks about topic number {i} in some detail." for i in range(4)]
    first = kb.add_documents(erin, base.id, [{"name": "n.md", "text": "\n\n".join(paragraphs)}])
    assert (first[0]["chunks"], first[0]["embedded"]) == (4, 4)
    paragraphs[2] = "Refunds are paid back to your card within five working days, always."
    again = kb.add_documents(erin, base.id, [{"name": "n.md", "text": "\n\n".join(paragraphs)}])
    assert (again[0]["status"], again[0]["chunks"], again[0]["embedded"]) == ("replaced", 4, 1)
    assert kb.search(erin, base.id, "how long until I get my money back?", k=1)[0][
        "text"
    ].startswith("Refunds")
    assert kb.get_base(erin, base.id).chunks == 4
