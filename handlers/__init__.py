"""Channel-neutral conversations: every flow here runs unchanged on Telegram, WhatsApp and the console."""
