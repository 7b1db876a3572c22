"""An OCF agent's ``meta-data``: its parameters and its advised actions.

The executor reads it once per agent (Pacemaker's controller caches it the
same way) and checks a resource's parameters against it before the first
action: a required parameter that is missing, or a parameter the agent does
not know, is reported in the log.  The agent stays the judge (its
``validate-all`` and its actions decide), as in Pacemaker.
"""

from __future__ import annotations

from attrs import field, frozen

from pengine.cib.errors import XmlInputError
from pengine.cib.xml_source import parse_xml


@frozen
class ParameterInfo:
    name: str
    required: bool = False
    unique: bool = False
    reloadable: bool = False
    private: bool = False
    default: str | None = None
    type: str = "string"


@frozen
class ActionInfo:
    name: str
    timeout: str | None = None
    interval: str | None = None
    depth: str | None = None
    role: str | None = None


@frozen
class AgentMetadata:
    name: str
    version: str | None = None
    parameters: tuple[ParameterInfo, ...] = field(default=(), converter=tuple)
    actions: tuple[ActionInfo, ...] = field(default=(), converter=tuple)

    def parameter(self, name: str) -> ParameterInfo | None:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        return None

    @property
    def ocf_1_1(self) -> bool:
        """Whether the agent claims OCF 1.1 or later (its <version>)."""
        from pengine.status.digests import compare_versions
        return self.version is not None and compare_versions(self.version, "1.1") >= 0

    @property
    def supports_reload_agent(self) -> bool:
        """ra_supports_reload_agent: an OCF 1.1 agent advertising reload-agent
        (its parameters marked reloadable change without a restart)."""
        return self.ocf_1_1 and any(a.name == "reload-agent" for a in self.actions)

    @property
    def supports_legacy_reload(self) -> bool:
        """ra_supports_legacy_reload: a pre-1.1 agent advertising reload (its
        parameters not marked unique change without a restart)."""
        return not self.ocf_1_1 and any(a.name.lower() == "reload" for a in self.actions)

    def private_names(self) -> frozenset[str]:
        """The parameters marked private; when none is, the usual names of
        secrets (controld_cache_metadata's fallback for older agents)."""
        marked = frozenset(p.name for p in self.parameters if p.private)
        if marked:
            return marked
        return frozenset(p.name for p in self.parameters
                         if p.name in ("password", "passwd", "user"))

    def defaults(self) -> dict[str, str]:
        return {p.name: p.default for p in self.parameters if p.default is not None}

    def action(self, name: str, interval_ms: int = 0) -> ActionInfo | None:
        from pengine.common.dates import parse_interval_ms
        for action in self.actions:
            if action.name == name and parse_interval_ms(action.interval or "0") == interval_ms:
                return action
        for action in self.actions:
            if action.name == name:
                return action
        return None


def _true(text: str | None) -> bool:
    return (text or "").strip().lower() in ("1", "true", "yes", "on", "y")


def parse_metadata(text: str, source: str = "meta-data") -> AgentMetadata:
    """Parse an agent's meta-data, or raise ValueError."""
    try:
        root = parse_xml(text, source)
    except XmlInputError as error:
        raise ValueError(error.render()) from None
    if root.tag != "resource-agent":
        raise ValueError(f"{source}: expected <resource-agent>, found <{root.tag}>")
    version = root.find("version")
    parameters = []
    for parameters_element in root.findall("parameters"):
        for p in parameters_element.findall("parameter"):
            content = p.find("content")
            parameters.append(ParameterInfo(
                name=p.get("name", ""), required=_true(p.get("required")),
                unique=_true(p.get("unique")), reloadable=_true(p.get("reloadable")),
                private=_true(p.get("private")),
                default=content.get("default") if content is not None else None,
                type=(content.get("type") if content is not None else None) or "string"))
    actions = []
    for actions_element in root.findall("actions"):
        for a in actions_element.findall("action"):
            actions.append(ActionInfo(name=a.get("name", ""), timeout=a.get("timeout"),
                                      interval=a.get("interval"), depth=a.get("depth"),
                                      role=a.get("role")))
    return AgentMetadata(name=root.get("name", ""),
                         version=(version.text or "").strip() or None if version is not None
                         else None,
                         parameters=parameters, actions=actions)


def check_parameters(metadata: AgentMetadata, params: dict[str, str]) -> list[str]:
    """Problems with a resource's parameters, as messages (empty when none)."""
    problems = []
    for parameter in metadata.parameters:
        if parameter.required and parameter.name not in params:
            problems.append(f"required parameter '{parameter.name}' is not set")
    known = {p.name for p in metadata.parameters}
    for name in sorted(params):
        if name not in known and not name.startswith("CRM_meta_") \
                and name != "crm_feature_set":
            problems.append(f"parameter '{name}' is not one the agent knows")
    return problems
