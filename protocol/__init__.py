"""Porch's sans-I/O core: the wire codec, cryptography and the room's state machines.

Nothing here opens a socket, starts an event loop or draws a screen.
"""
