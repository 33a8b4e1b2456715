"""What the operator sees: readers' votes, replies per day, the questions kept to learn from
(opt-in), Prometheus metrics, and the listener serving them with the operator page."""
