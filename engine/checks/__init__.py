"""Checks: the line table and compiled packs in, one CheckResult out.

Takes the typed line table (inputs) and the compiled packs (packs). Gives each
line's rules (classify, deciding one representative line per partition with
durable-rules), the cross-line suspects (duplicates, splits), the award limits
and plan checks, each line's final status, the findings' text and the
evidence: everything a report shows, in `CheckResult`.
"""
