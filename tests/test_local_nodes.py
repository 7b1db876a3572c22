"""Pieces of ``pengine run --local-nodes`` and of reloads, without running
a controller: the reload and secure digests a result records (as
controld_add_resource_history_xml_as writes them), how a reload is asked of
an agent, the node list and each node's agent environment, the CLI."""

from __future__ import annotations


import pytest

from pengine.cib.errors import UsageError
from pengine.status.digests import md5_digest
from tests.conftest import REPO, run_pengine
from pengine.transitions.execute.agents import AgentRequest, Agents, AgentSettings
from pengine.transitions.execute.history_digests import history_digests, needs_metadata, word_list
from pengine.transitions.execute.local_nodes import node_directory, parse_node_list
from pengine.transitions.execute.metadata import ActionInfo, AgentMetadata, ParameterInfo, parse_metadata
from pengine.transitions.execute.nodes import node_agent_settings
from pengine.transitions.execute.state_dir import StateDir

HAPROXY = REPO / "samples" / "ocf" / "resource.d" / "pengine" / "haproxy"


def agent(version: str | None, *actions: str, **flags: dict) -> AgentMetadata:
    """An agent whose parameters a, b, c carry ``flags[name]``."""
    return AgentMetadata(
        name="x", version=version,
        parameters=[ParameterInfo(name=n, **flags.get(n, {})) for n in ("a", "b", "c")],
        actions=[ActionInfo(name=a) for a in ("start", "stop", "monitor", *actions)])


PARAMS = {"a": "1", "b": "2", "c": "3", "CRM_meta_timeout": "20000"}


def test_an_ocf_1_1_agent_with_reload_agent_lists_the_parameters_not_reloadable():
    meta = agent("1.1", "reload-agent", b={"reloadable": True})
    assert meta.supports_reload_agent and not meta.supports_legacy_reload
    recorded = dict(history_digests(meta, "ocf", "start", 0, PARAMS))
    # meta-data order, reversed as the controller's prepended list runs
    assert recorded == {"op-force-restart": "  c a  ",
                        "op-restart-digest": md5_digest({"a": "1", "c": "3"})}
    # monitors are not reloadable; agents without parameters have none
    assert history_digests(meta, "ocf", "monitor", 10000, PARAMS) == ()
    assert history_digests(meta, "lsb", "start", 0, PARAMS) == ()
    assert history_digests(meta, "ocf", "stop", 0, PARAMS) == ()


def test_a_pre_1_1_agent_with_reload_lists_its_unique_parameters():
    meta = agent("1.0", "reload", a={"unique": True}, b={"reloadable": True})
    assert meta.supports_legacy_reload and not meta.supports_reload_agent
    assert dict(history_digests(meta, "ocf", "start", 0, PARAMS)) == {
        "op-force-restart": "  a  ", "op-restart-digest": md5_digest({"a": "1"})}


def test_reload_support_is_recorded_even_when_every_parameter_reloads():
    meta = agent("1.1", "reload-agent", **{n: {"reloadable": True} for n in "abc"})
    assert dict(history_digests(meta, "ocf", "start", 0, PARAMS)) == {
        "op-force-restart": "", "op-restart-digest": md5_digest({})}


def test_without_reload_no_restart_digest():
    # reload-agent from a 1.0 agent, reload from a 1.1 agent: neither counts
    assert history_digests(agent("1.0", "reload-agent"), "ocf", "start", 0, PARAMS) == ()
    assert history_digests(agent("1.1", "reload"), "ocf", "start", 0, PARAMS) == ()
    assert history_digests(agent(None), "ocf", "start", 0, PARAMS) == ()


def test_private_parameters_give_the_secure_digest_of_the_others():
    meta = agent("1.0", c={"private": True})
    monitor = dict(PARAMS, CRM_meta_interval="10000")
    assert dict(history_digests(meta, "ocf", "monitor", 10000, monitor)) == {
        "op-secure-params": "  c  ",
        # filtered as op-digest is: CRM_meta_timeout stays for a recurring op
        "op-secure-digest": md5_digest({"a": "1", "b": "2", "CRM_meta_timeout": "20000"})}
    start = dict(history_digests(meta, "ocf", "start", 0, PARAMS))
    assert start["op-secure-digest"] == md5_digest({"a": "1", "b": "2"})
    # no parameter marked private: the usual names of secrets are
    legacy = AgentMetadata(name="y", parameters=[ParameterInfo(name="passwd"),
                                                 ParameterInfo(name="ip")])
    assert legacy.private_names() == {"passwd"}


def test_needs_metadata_and_word_lists():
    assert needs_metadata("ocf", "reload-agent") and needs_metadata("stonith", "monitor")
    assert not needs_metadata("ocf", "stop") and not needs_metadata("systemd", "start")
    assert word_list(["a", "b"]) == "  a b  " and word_list([]) == ""


def test_the_haproxy_stand_in_declares_what_reloads(tmp_path):
    import subprocess
    text = subprocess.run([str(HAPROXY), "meta-data"], capture_output=True, text=True,
                          check=True).stdout
    meta = parse_metadata(text)
    assert meta.version == "1.1" and meta.supports_reload_agent
    assert [p.name for p in meta.parameters if not p.reloadable] == ["port"]
    assert meta.private_names() == {"stats_password"}


def test_a_reload_is_asked_the_way_the_agent_supports(tmp_path):
    root = tmp_path / "ocf" / "resource.d" / "t"
    root.mkdir(parents=True)
    for name, version, action in (("new", "1.1", "reload-agent"), ("old", "1.0", "reload")):
        script = root / name
        script.write_text(
            "#!/bin/sh\n[ \"$1\" = meta-data ] || exit 0\n"
            f"echo '<resource-agent name=\"{name}\"><version>{version}</version>"
            f"<parameters/><actions><action name=\"{action}\"/></actions></resource-agent>'\n")
        script.chmod(0o755)
    agents = Agents(AgentSettings(ocf_root=str(tmp_path / "ocf")))

    def asked(agent_name: str, action: str) -> str:
        return agents.agent_action(AgentRequest("r", "ocf", agent_name, action,
                                                provider="t")).action
    assert asked("new", "reload-agent") == "reload-agent"
    assert asked("old", "reload-agent") == "reload"        # legacy reload
    assert asked("new", "start") == "start"


def test_node_lists_and_node_directories(tmp_path):
    assert parse_node_list("node1, node2") == ["node1", "node2"]
    for bad in ("node1,,node2", "node1,node1", ""):
        with pytest.raises(UsageError):
            parse_node_list(bad)
    state = StateDir(str(tmp_path))
    assert node_directory(state, "node1") == str(tmp_path / "nodes" / "node1")
    with pytest.raises(UsageError):
        node_directory(state, "../x")
    settings = node_agent_settings(AgentSettings(base_env=(("PATH", "/bin"),)), "/n1")
    assert settings.environment() == {"PATH": "/bin", "HA_RSCTMP": "/n1/rsctmp",
                                      "HA_VARRUN": "/n1/run"}


def test_cli_documents_and_checks_local_nodes(tmp_path):
    help_text = run_pengine("run", "--help").stdout
    assert "--local-nodes" in help_text and "--ocf-root" in help_text
    config = tmp_path / "c.crm"
    config.write_text("node 1: node1\nnode 2: node2\n"
                      "property cib-bootstrap-options: stonith-enabled=false\n")
    result = run_pengine("run", config, "--local-nodes", "node1,ghost",
                         "--state-dir", tmp_path / "s")
    assert result.returncode == 2 and "node 'ghost' is not a node" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_pengine("run", config, "--local-nodes", "node1,node1",
                         "--state-dir", tmp_path / "s")
    assert result.returncode == 2 and "named twice" in result.stderr
    result = run_pengine("run", config, "--local-nodes", "node1", "--node", "node1",
                         "--state-dir", tmp_path / "s")
    assert result.returncode == 2 and "not allowed with" in result.stderr
