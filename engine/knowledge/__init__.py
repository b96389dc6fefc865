"""Knowledge bases: loaders, chunking, embeddings and vector indexes (pgvector on
PostgreSQL, sqlite-vec on SQLite). :mod:`engine.services.knowledge` is the door; this
package does the work without checking who asks.

Modules: :mod:`~engine.knowledge.loaders` (text, Markdown, HTML, PDF),
:mod:`~engine.knowledge.chunking`, :mod:`~engine.knowledge.embedders` (the offline
WordLlama model and the :class:`~engine.knowledge.embedders.Embedder` interface),
:mod:`~engine.knowledge.vectors` and :mod:`~engine.knowledge.bases` (the operations).
"""
