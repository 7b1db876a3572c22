"""Values every layer reads, as Pacemaker's lib/common has them: scores, ISO 8601 dates and
intervals, booleans and cluster-option defaults, name ordering, GLib hash-table order, and the
score journal that `explain` reads.  Imports nothing from the rest of pengine."""
