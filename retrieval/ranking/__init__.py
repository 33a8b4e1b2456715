"""Layer 4, ranking: candidates re-ordered, and how sure the bot is that the best one
answers. Uses the layers below."""
