"""Department inbox: the group queue and my own steps."""
