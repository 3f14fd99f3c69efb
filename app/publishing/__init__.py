"""Publishing: the final letter, its exports in every format, the public page and the API."""
