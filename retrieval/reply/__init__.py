"""Layer 5, reply: what the user reads (excerpts, the answering sentence, the tier, the
fixed phrases) and a new article matched against a topic; `answer.answer` is the one function
adapters call. Uses the layers below."""
