"""Rules: the expressions that make configuration conditional on nodes, dates, operations and
resources (Pacemaker's lib/pengine/rules.c and lib/common/rules.c).  Reads the CIB model."""
