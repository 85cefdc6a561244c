"""ringfence engine: checks expenditure lines against grant packs.

The engine returns data; only the CLI and the report writers print.
"""

__version__ = "0.1.0"
