"""The bundled grant packs, one folder each: installed as the package `ringfence.rules`,
so that the engine finds them with importlib.resources wherever ringfence is installed."""
