"""Knowledge base routes: create, add documents, search with sources, delete (404 after),
and bad input as a 4xx with a message."""

from __future__ import annotations

from starlette.testclient import TestClient


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
    r = client.post(f"/api/v1/knowledge-bases/{kb_id}/documents", json={"documents": [
        {"name": "t.csv", "text": csv, "meta": {"year": 2026}}]})
    assert r.json()["items"][0]["chunks"] == 2, r.text
    r = client.post(f"/api/v1/knowledge-bases/{kb_id}/search", json={
        "query": "invoice", "k": 5, "filters": {"team": "support", "year": [2025, 2026]}})
    assert r.status_code == 200, r.text
    assert [h["meta"]["id"] for h in r.json()["items"]] == ["2"]
    assert r.json()["items"][0]["meta"]["year"] == 2026
    bad = client.post(f"/api/v1/knowledge-bases/{kb_id}/search",
                      json={"query": "x", "filters": {"team": {"in": ["a"]}}})
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
