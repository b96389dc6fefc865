"""The Chat Trigger node (``ai.chat_trigger``)."""
