"""Retrieval core, in six layers, each a sub-package that imports only the ones below it:
language, index, question, ranking, reply, evaluation (see docs/architecture.md)."""
