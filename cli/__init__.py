"""The `huntred` command: a thin shell over the layers below."""
