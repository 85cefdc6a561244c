"""Pipeline: the stages run in order, for `check` and for `diff`.

Takes a request (input paths, awards, map, rules, gate options). Runs
inputs -> packs -> checks -> gate and gives the whole CheckResult, gate
included (`run_check`), or two of them compared (`run_diff`). It sits above the
gate because it runs the gate; it is the one place that starts threads.
"""
