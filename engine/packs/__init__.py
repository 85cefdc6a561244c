"""Packs: grant packs loaded, resolved and compiled for durable-rules.

Takes a folder of `pack.yaml` files (the bundled `ringfence.rules`, or `--rules`)
and the models. Gives `LoadedPack` (the pack and its versions), `CompiledPack`
(conditions in the facts' value domain, registered as durable-rules rulesets),
the one operator table, and the plain-Python reference evaluator the tests
compare durable-rules with. `durable_runner` is the only module that imports
durable-rules.
"""
