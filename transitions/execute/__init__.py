"""The executor: carry a transition out with real resource agents.

One concern per module, pure where it can be, I/O at the edges:

- ``graph_runner``: progress through a transition graph (pure);
- ``action_specs``: what each graph action asks of the executor (read once
  from the scheduler that built the graph);
- ``events``: what a result means for the transition and the fail counts
  (pure port of the controller's process_graph_event);
- ``recording``: results, fail counts and node changes written into the
  CIB's status (pure, CIB to CIB);
- ``codes``, ``agents`` and the backends ``ocf``, ``lsb``, ``systemd``,
  ``fence``, with ``process`` (running one agent) and ``metadata``;
  ``history_digests``: the reload and secure digests a result records,
  from the agent's meta-data (pure);
- ``executor``: one action at a time per resource, recurring monitors;
- ``controller``: the run loop of ``pengine run``; ``state_dir``: where its
  status is kept;
- cluster mode (``pengine run --cluster``): ``corosync`` (membership, quorum
  and process-group messaging through ctypes), ``cluster_messages`` (what
  nodes tell each other), ``membership`` (the view written into node states,
  pure) and ``cluster`` (the controller of a node in a cluster: coordinator
  or member);
- what reaches a running node from outside: ``control`` (its local socket),
  ``admin`` (the changes operators and agents make: attributes, cli-
  constraints, cleanup, configuration versions; pure, CIB to CIB) and
  ``cluster_admin`` (a cluster node's attribute manager, replicated
  configuration and admin commands);
- several nodes on one machine (``pengine run --local-nodes``): ``nodes``
  (one node's executor with its own agent state) and ``local_nodes`` (one
  controller driving them).
"""
