"""Knowledge base routes: create, add documents, search with sources, delete (404 after),
and bad input as a 4xx with a message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)


def test_create_add_search_delete(client: TestClient) -> None:
    r = client.post("/api/v1/knowledge-bases", json={"name": "Handbook"})
    assert r.status_code == 201, r.text
    kb_id = r.json()["id"]
    docs = [
        {
            "name": "backup.md",
            "text": "# Backups\n\nRun pg_dump every night and keep the dumps off the machine.",
        },
        {"name": "cats.txt", "text": "Cats sleep most of the day."},
        {"name": "x.png", "data": "iVBORw0KGgo="},
    ]
    r = client.post(f"/api/v1/knowledge-bases/{kb_id}/documents", json={"documents": docs})
    assert [d["status"] for d in r.json()["items"]] == ["added", "added", "failed"]
    r = client.post(
        f"/api/v1/knowledge-bases/{kb_id}/search",
        json={"query": "how do I avoid losing my data?", "k": 2},
    )
    assert r.status_code == 200 and r.json()["items"][0]["document"] == "backup.md"
    assert (
        client.post(
            "/api/v1/knowledge-bases/" + kb_id + "/search", json={"query": "x", "k": 0}
        ).status_code
        == 422
    )
    assert client.delete(f"/api/v1/knowledge-bases/{kb_id}").status_code == 204
    r = client.get(f"/api/v1/knowledge-bases/{kb_id}")
    assert r.status_code == 404 and "aura kb list" in r.json()["message"]


def test_records_metadata_and_filters(client: TestClient) -> None:
    kb_id = client.post("/api/v1/knowledge-bases", json={"name": "Tickets"}).json()["id"]
    csv = "id,team,summary\n1,billing,Invoice sent twice\n2,support,Invoice never arrived\n"
    r = client.post(
        f"/api/v1/knowledge-bases/{kb_id}/documents",
        json={"documents": [{"name": "t.csv", "text": csv, "meta": {"year": 2026}}]},
    )
    assert r.json()["items"][0]["chunks"] == 2, r.text
    r = client.post(
        f"/api/v1/knowledge-bases/{kb_id}/search",
        json={"query": "invoice", "k": 5, "filters": {"team": "support", "year": [2025, 2026]}},
    )
    assert r.status_code == 200, r.text
    assert [h["meta"]["id"] for h in r.json()["items"]] == ["2"]
    assert r.json()["items"][0]["meta"]["year"] == 2026
    bad = client.post(
        f"/api/v1/knowledge-bases/{kb_id}/search",
        json={"query": "x", "filters": {"team": {"in": ["a"]}}},
    )
    assert bad.status_code == 422
    assert bad.json()["message"].startswith("Filter field 'team': give a text, number")


def test_openapi_documents_the_knowledge_routes(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    search = spec["paths"]["/api/v1/knowledge-bases/{kb_id}/search"]["post"]
    assert search["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HitList"
    }
    hit = spec["components"]["schemas"]["HitOut"]["properties"]
    assert {"document", "score", "start", "end", "matched"} <= set(hit)
    assert "404" in search["responses"]


def test_a_documents_chunks_in_order_with_headings(client: TestClient) -> None:
    kb_id = client.post(
        "/api/v1/knowledge-bases", json={"name": "Guide", "chunking": {"size": 20, "overlap": 0}}
    ).json()["id"]
    text = (
        "# Guide\n\n## Backups\n\nRun pg_dump every night and keep the dumps off the "
        "machine you back up.\n\n## Restores\n\nStop the server, run pg_restore on the "
        "latest dump and start the server again."
    )
    r = client.post(
        f"/api/v1/knowledge-bases/{kb_id}/documents",
        json={"documents": [{"name": "guide.md", "text": text, "meta": {"team": "ops"}}]},
    )
    doc = r.json()["items"][0]
    r = client.get(f"/api/v1/knowledge-bases/{kb_id}/documents/{doc['document_id']}/chunks")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["document"]["name"] == "guide.md" and body["total"] == doc["chunks"] >= 2
    items = body["items"]
    assert [c["position"] for c in items] == list(range(len(items)))
    dump = next(c for c in items if "pg_dump" in c["text"])
    restore = next(c for c in items if "pg_restore" in c["text"])
    assert dump["position"] < restore["position"]
    assert dump["heading"].endswith("Backups") and restore["heading"].endswith("Restores")
    assert all(c["meta"]["team"] == "ops" for c in items)
    assert text[items[-1]["start"] : items[-1]["end"]].startswith(items[-1]["text"][:10])
    # paging
    page = client.get(
        f"/api/v1/knowledge-bases/{kb_id}/documents/{doc['document_id']}/chunks",
        params={"offset": 1, "limit": 1},
    ).json()
    assert [c["position"] for c in page["items"]] == [1] and page["total"] == body["total"]
    # a document that is not there, and a limit out of range, in words
    r = client.get(f"/api/v1/knowledge-bases/{kb_id}/documents/{'0' * 32}/chunks")
    assert r.status_code == 404 and "No document" in r.json()["message"]
    r = client.get(
        f"/api/v1/knowledge-bases/{kb_id}/documents/{doc['document_id']}/chunks",
        params={"limit": 0},
    )
    assert r.status_code == 422 and r.json()["error"]


def test_ingest_on_the_workers_needs_a_redis(client: TestClient) -> None:
    kb_id = client.post("/api/v1/knowledge-bases", json={"name": "Queued"}).json()["id"]
    r = client.post(
        f"/api/v1/knowledge-bases/{kb_id}/ingests",
        json={"documents": [{"name": "a.md", "text": "Hello."}]},
    )
    assert r.status_code == 409, r.text
    assert "AURA_REDIS_URL" in r.json()["message"]


def test_changing_the_model_warns_first(client: TestClient) -> None:
    kb_id = client.post("/api/v1/knowledge-bases", json={"name": "Models"}).json()["id"]
    client.post(
        f"/api/v1/knowledge-bases/{kb_id}/documents",
        json={"documents": [{"name": "a.md", "text": "Hello there."}]},
    )
    # the same model: nothing to do, in words
    r = client.put(
        f"/api/v1/knowledge-bases/{kb_id}/model", json={"model": "wordllama/l2_supercat_256"}
    )
    assert r.status_code == 422 and "already uses" in r.json()["message"]
    # an unknown model, or a malformed OpenAI-compatible name
    for model, words in (
        ("no-such-model", "Unknown embedding model"),
        ("openai:x", "openai:<model>@<credential id>"),
    ):
        r = client.put(f"/api/v1/knowledge-bases/{kb_id}/model", json={"model": model})
        assert r.status_code == 422 and words in r.json()["message"], r.text


def test_search_with_a_reranker(client: TestClient) -> None:
    kb_id = client.post("/api/v1/knowledge-bases", json={"name": "Ranked"}).json()["id"]
    client.post(f"/api/v1/knowledge-bases/{kb_id}/documents", json={"documents": [
        {"name": "a.md", "text": "Run pg_dump every night."},
        {"name": "b.md", "text": "Cats sleep most of the day."}]})
    r = client.post(f"/api/v1/knowledge-bases/{kb_id}/search",
                    json={"query": "pg_dump", "k": 1, "rerank": "keywords"})
    assert r.status_code == 200, r.text
    assert r.json()["items"][0]["document"] == "a.md"
    assert r.json()["items"][0]["rerank_score"] == 1.0
    r = client.post(f"/api/v1/knowledge-bases/{kb_id}/search",
                    json={"query": "pg_dump", "rerank": "nope"})
    assert r.status_code == 422 and "Unknown re-ranker 'nope'" in r.json()["message"]


@pytest.fixture
def on_redis(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:  # noqa: F811
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_REDIS_URL", redis_url)
    reset_settings()
    yield redis_url
    monkeypatch.delenv("AURA_REDIS_URL")
    reset_settings()


@pytest.mark.redis
def test_cancel_an_ingest(on_redis: str, client: TestClient) -> None:
    kb_id = client.post("/api/v1/knowledge-bases", json={"name": "Queued"}).json()["id"]
    r = client.post(
        f"/api/v1/knowledge-bases/{kb_id}/ingests",
        json={"documents": [{"name": "a.md", "text": "Hello."}]},
    )
    assert r.status_code == 202, r.text
    job = r.json()["id"]
    r = client.post(f"/api/v1/knowledge-bases/{kb_id}/ingests/{job}/cancel")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled" and "after 0 of 1" in r.json()["error"]
    assert client.get(f"/api/v1/knowledge-bases/{kb_id}/ingests/{job}").json()["status"] == (
        "cancelled"
    )
    again = client.post(f"/api/v1/knowledge-bases/{kb_id}/ingests/{job}/cancel")
    assert again.status_code == 409 and "nothing to cancel" in again.json()["message"]
    missing = client.post(f"/api/v1/knowledge-bases/{kb_id}/ingests/{'0' * 32}/cancel")
    assert missing.status_code == 404 and "No ingest" in missing.json()["message"]
    assert client.get(f"/api/v1/knowledge-bases/{kb_id}").json()["documents"] == 0
