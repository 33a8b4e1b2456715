"""tin-bot adapters: Telegram, console and the command line."""
