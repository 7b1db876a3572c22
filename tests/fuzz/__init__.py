"""Fuzzing pengine: hypothesis strategies for hostile and careless inputs
(tests/fuzz/strategies.py), a mutation fuzzer over Pacemaker's regression
corpus (tests/fuzz/mutate.py), and a runner that feeds them to the real
command in worker processes and records internal errors, hangs and silent
drops (tests/fuzz/runner.py).

A short run is part of the test suite (tests/test_fuzz.py); a long run is
``python -m tests.fuzz --minutes N`` from the checkout's root.
"""
