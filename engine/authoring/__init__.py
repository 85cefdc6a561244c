"""Authoring: tools for people who write grant packs.

Takes packs (and, for `explain`, a check's inputs). Gives `rules lint`
problems, `rules test` results with rule coverage, `explain` (why one line got
its status, test by test), and the JSON Schemas of every file format.
"""
