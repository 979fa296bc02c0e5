"""SMS: the gateway to Africa's Talking, the message log, incoming keywords and replies."""
