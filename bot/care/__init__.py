"""Care events in a mother's life that change what the bot may say to her (a loss)."""
