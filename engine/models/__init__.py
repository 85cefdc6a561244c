"""Models: the pydantic models, the single source of truth for every file format.

Takes nothing but core. Gives the pack, proposal, awards, column map, waivers,
baseline and pack-test formats (their JSON Schemas are exported from these
models), the canonical line fields, and the line table's columns.
"""
