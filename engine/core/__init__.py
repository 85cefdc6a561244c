"""Core: the vocabulary every stage shares, and nothing that knows about grants.

Takes nothing from the other stages. Gives exact money (integer pence), dates,
the statuses and their labels, input errors with their suggestions, named exit
codes, the built-in rule catalogue, and YAML that keeps where each value was
written.
"""
