"""Knowledge: Add Documents — items (or their binary files) into a knowledge base."""

from __future__ import annotations

from engine.sdk import Field, NodeSpec, Params, load_docs


class KnowledgeInsertParams(Params):
    knowledge_base: str = Field(
        ..., min_length=1, description="The knowledge base (its id or name in the project)."
    )
    name_field: str = Field(
        "name",
        description="The item field holding the document's name (its title or file "
        "name; adding the same name again replaces the document when it changed).",
    )
    text_field: str = Field(
        "text", description="The item field holding the document's text (text or Markdown)."
    )
    binary_property: str = Field(
        "",
        description="Take the document from this binary property instead (a file: "
        "text, Markdown, HTML or PDF). Empty: use the text field.",
    )


SPEC = NodeSpec(
    type="core.knowledge_insert",
    version=1,
    title="Knowledge: Add Documents",
    description="Add each item as a document to a knowledge base (chunked and embedded).",
    category="AI",
    icon="book-plus",
    params=KnowledgeInsertParams,
    run="nodes.core.knowledge_insert.run:execute",
    docs=load_docs(__file__),
)
