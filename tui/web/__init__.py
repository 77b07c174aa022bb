"""`porch web`: the Porch app in a browser tab on this computer, behind a one-time link."""
