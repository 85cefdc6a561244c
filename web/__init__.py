"""`ringfence serve`: the web page and API, over the engine (never part of it)."""
