"""Layer 6, evaluation: an answering function scored on question files, the confidence model
fitted on corpus shapes, and plain BM25 as the yardstick. Uses the layers below."""
