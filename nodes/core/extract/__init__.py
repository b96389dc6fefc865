"""The Information Extractor node (``ai.extract``)."""
