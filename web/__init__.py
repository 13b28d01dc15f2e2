"""Loupe's Flask front end (pages and JSON API) over the engine's `search()`."""
