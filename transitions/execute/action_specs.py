"""What each action of a transition asks of the executor.

The graph (``transitions.graph.Transition``) says which actions run in which
order; the executor also needs what Pacemaker's graph XML carries for each
action: the resource's agent, the parameters evaluated for the node with the
``CRM_meta_*`` values, the timeout and the expected result.  They are read
once from the scheduler that built the graph (``graph_xml.action_attributes``,
the same attributes ``crm_simulate -G`` writes), so that the runner itself
works on frozen values only.
"""

from __future__ import annotations

from attrs import field, frozen

from pengine.status.cluster import Scheduler
from pengine.transitions.graph import GraphAction, Transition

DEFAULT_TIMEOUT_MS = 20000      # PCMK_DEFAULT_ACTION_TIMEOUT_MS
DEFAULT_FENCING_TIMEOUT_MS = 60000


@frozen
class ActionSpec:
    action: GraphAction
    attributes: tuple[tuple[str, str], ...] = field(default=(), converter=tuple)
    rsc_id: str | None = None           # the resource as its history names it
    rsc_class: str | None = None
    rsc_provider: str | None = None
    rsc_type: str | None = None
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    target_rc: int = 0

    def get(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.attributes:
            if key == name:
                return value
        return default

    def meta(self, name: str, default: str | None = None) -> str | None:
        return self.get("CRM_meta_" + name.replace("-", "_"), default)

    @property
    def interval_ms(self) -> int:
        return _int(self.meta("interval"), self.action.interval_ms)

    @property
    def on_fail(self) -> str | None:
        return self.meta("on_fail")


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def action_specs(sch: Scheduler, transition: Transition) -> dict[int, ActionSpec]:
    """One spec per graph action, by action id."""
    from pengine.common.dates import parse_interval_ms
    from pengine.status.digests import CRM_FEATURE_SET
    from pengine.transitions.graph_xml import action_attributes, resource_details

    scheduled = {action.id: action for action in sch.actions}
    fencing_timeout = parse_interval_ms(dict(transition.attributes).get("fencing-timeout")) \
        or DEFAULT_FENCING_TIMEOUT_MS
    specs: dict[int, ActionSpec] = {}
    for synapse in transition.synapses:
        graph_action = synapse.action
        action = scheduled.get(graph_action.id)
        if action is None or graph_action.kind == "pseudo_event":
            specs[graph_action.id] = ActionSpec(graph_action)
            continue
        params, numbered = action_attributes(sch, action, CRM_FEATURE_SET)
        attributes = dict(params)
        for name, value in numbered:
            attributes.setdefault(name, value)
        rsc_id = cls = provider = rtype = None
        if action.rsc is not None:
            details = dict(resource_details(action.rsc))
            rsc_id = details.get("id")
            cls, provider, rtype = details.get("class"), details.get("provider"), \
                details.get("type")
        timeout = _int(attributes.get("CRM_meta_timeout"), 0)
        if graph_action.task == "stonith":
            timeout = timeout or fencing_timeout
        specs[graph_action.id] = ActionSpec(
            graph_action, sorted(attributes.items()), rsc_id, cls, provider, rtype,
            timeout or DEFAULT_TIMEOUT_MS, _int(attributes.get("CRM_meta_op_target_rc"), 0))
    return specs


def fence_devices(sch: Scheduler, node_name: str):
    """The fence devices the fencer on ``node_name`` may use, as Pacemaker's
    fencer registers them from the configuration: each ``stonith`` primitive
    that is not disabled and whose score on the node is not negative, with
    its parameters evaluated for the node (as AgentRequests to run)."""
    from pengine.status.cluster import Role
    from pengine.status.unpack import rsc_params
    from pengine.transitions.execute.agents import AgentRequest

    node = next((n for n in sch.nodes if n.name == node_name), None)
    if node is None:
        return []
    devices = []
    for rsc in sch.all_resources.values():
        if rsc.variant != "primitive" or (rsc.cls or "").lower() != "stonith":
            continue
        if rsc.target_role == Role.STOPPED:
            continue
        allowed = rsc.allowed.get(node.id)
        if allowed is None or allowed.score < 0:
            continue
        devices.append(AgentRequest(rsc.id, "stonith", rsc.type or "", "off",
                                    params=rsc_params(sch, rsc, node).items()))
    return devices
