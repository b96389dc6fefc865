"""The AI Agent node (``ai.agent``)."""
