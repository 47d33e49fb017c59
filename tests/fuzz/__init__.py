"""Fuzzing every input surface: strategies (mutations), the worker processes that run the
cases (worker, harness), the corpora they start from (corpus/), the inputs that once broke
something (regressions/) and a long campaign (campaign)."""
