"""ringfence engine: checks expenditure lines against grant packs.

The engine returns data; only the CLI and the report writers print. Its stages,
each a folder, in the order the data flows (each may import only those before
it; the contracts in pyproject.toml's [tool.importlinter] enforce it):

    core      money, dates, statuses, errors and suggestions, YAML, the built-in rules
    models    the file formats (pydantic) and the line table's columns
    inputs    proposals and ledgers read into typed lines    } independent
    packs     grant packs loaded and compiled for durable-rules } of each other
    checks    classification, cross-line checks, award and plan checks: one result
    gate      what counts toward --fail-on: waivers and baselines
    pipeline  the stages run in order for `check` and `diff`; the only threads
    authoring lint, rules test, explain and the file formats' schemas
    reports   one writer per format, behind one protocol
"""

__version__ = "0.1.0"
