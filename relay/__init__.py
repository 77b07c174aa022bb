"""The Porch relay: a blind, minimal WebSocket fan-out for rooms of at most twelve."""
