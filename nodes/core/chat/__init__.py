"""The LLM chat node (``ai.chat``)."""
