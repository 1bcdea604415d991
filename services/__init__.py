"""Staff actions, one function each, called alike by the chat, the command line and the web dashboard."""
