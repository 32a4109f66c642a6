"""Lesson 4, the multi-layer perceptron: one module per section (``cancer``, ``deep``,
``playground``), what they share (``shared``) and their pictures (``views``)."""
