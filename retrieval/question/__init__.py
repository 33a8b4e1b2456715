"""Layer 3, question: the question read once (terms, names and numbers, the kind of answer it
asks for), and what a sentence says about it (its information, the kind of answer it gives,
the people it names). Uses `language` and `index`."""
