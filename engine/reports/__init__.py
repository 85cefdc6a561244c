"""Report writers: they read a CheckResult and write; they never compute findings."""
