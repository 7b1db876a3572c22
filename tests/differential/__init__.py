"""Differential testing of ``pengine simulate`` against Pacemaker 3.0.2's crm_simulate.

A seeded generator (``generate``) builds random clusters and event sequences;
``compare`` runs each step through both engines and compares their output
section by section; ``minimise`` shrinks a disagreement to a small case.
Chained steps feed Pacemaker's own ``-O`` output into the next step, so fail
counts accumulate and expire the way a real cluster's would.

    python -m tests.differential --cases N --seed S
"""
