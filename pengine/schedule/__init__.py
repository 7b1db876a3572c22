"""The scheduler: the driver (`driver.schedule`, `driver.PHASES`) and one module per concern of
its phases, as Pacemaker's pcmk_sched_*.c (locations, colocation, ordering, actions,
assignment, instances, promotable, utilization, fencing, probes, remote nodes, ...), with the
variant dispatch (primitive, group, clone, bundle) in `variants/`."""
