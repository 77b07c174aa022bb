"""The Porch client: the Textual app, the plain line mode and the async client core."""
