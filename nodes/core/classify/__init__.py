"""The Text Classifier node (``ai.classify``)."""
