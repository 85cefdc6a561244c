"""Gate: what counts toward `--fail-on`, decided once.

Takes a CheckResult and, optionally, waivers and a baseline. Gives the Gate
that the exit code, JUnit failures, SARIF suppressions, GitHub annotations and
`diff` all read, so that they cannot disagree.
"""
