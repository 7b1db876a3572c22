"""The attribute manager, the one configuration and the admin commands of a cluster node.

A mixin of :class:`transitions.execute.cluster.ClusterController`.  Local
clients reach the node through its control socket
(:mod:`transitions.execute.control`): the agents' ``crm_attribute``,
``crm_master`` and ``attrd_updater``, and ``pengine configure``,
``pengine resource``, ``pengine node``, ``pengine fencing`` and
``pengine status``.

- Reads are answered by the node from its own copy of the CIB (the
  coordinator publishes the whole CIB after every change).
- Changes go over the process group to the coordinator
  (:class:`~transitions.execute.cluster_messages.AdminRequest`), which makes
  them with the pure functions of :mod:`transitions.execute.admin`, saves,
  publishes the status and only then answers
  (:class:`~transitions.execute.cluster_messages.AdminAnswer`): the group
  delivers in one order, so the asking node holds the change when its
  client gets the answer.  Attributes thus live in the status every member
  holds (transient ones are dropped when their node leaves), and a
  configuration change gets the next ``epoch``.
- The configuration is versioned as Pacemaker's CIB is (``admin_epoch``,
  ``epoch``, ``num_updates``): at a join the newest copy among the members
  wins, and a member takes whatever version the coordinator publishes.
"""

from __future__ import annotations

import json
import logging
import os
import time

from attrs import evolve

from pengine.cib import model as m
from pengine.transitions.execute import admin
from pengine.transitions.execute import cluster_messages as msg
from pengine.transitions.execute.events import INFINITY
from pengine.transitions.execute.control import (ControlRequest, ControlServer, answer,
                                                 socket_path)

log = logging.getLogger("pengine.run")

REQUEST_TIMEOUT_S = 30.0
# answered by the node itself, from its copy of the CIB
LOCAL_KINDS = frozenset({"status", "attribute-query", "property-query"})
# a configuration change asked by a node's own configuration file
FILE_CHANGE = "file"


class ClusterAdmin:
    """State and handlers; the host class is a ClusterController."""

    def init_admin(self) -> None:
        self.control: ControlServer | None = None
        # request id -> (answer, deadline, the request as sent)
        self.pending_clients: dict[str, tuple] = {}
        self.admin_requests = 0
        self.deferred_requests: list[msg.AdminRequest] = []
        self.config_version = (0, 0, 0)
        self.fence_history: list[dict] = []

    # ------------------------------------------------------------ set-up --

    def start_control(self) -> None:
        self.control = ControlServer(socket_path(self.state.path), self.messages.put)
        try:
            self.control.start()
        except OSError as error:
            log.error("no control socket (%s): crm_attribute and the admin commands will "
                      "not reach this node", error)
            self.control = None

    def stop_control(self) -> None:
        if self.control is not None:
            self.control.stop()
            self.control = None
        for reply, _deadline, _request in self.pending_clients.values():
            reply(answer(False, "pengine run is stopping"))
        self.pending_clients = {}

    def choose_start_configuration(self, config: m.Cib, saved: m.Cib | None) -> m.Cib:
        """The newer of the configuration file and the one saved last run
        (which the cluster may have changed since the file was written)."""
        mine = admin.config_version(config)
        if saved is not None and admin.config_version(saved) > mine \
                and saved.configuration.nodes:
            log.info("the saved configuration (version %s) is newer than %s (%s)",
                     _version_text(admin.config_version(saved)), self.config_path,
                     _version_text(mine))
            config = evolve(config, configuration=saved.configuration)
            mine = admin.config_version(saved)
        self.config_version = mine
        return config

    def versioned(self, cib: m.Cib) -> m.Cib:
        """The CIB's attributes say which configuration it holds."""
        attrs = dict(cib.attributes)
        attrs["admin_epoch"], attrs["epoch"] = (str(v) for v in self.config_version[:2])
        return evolve(cib, attributes=list(attrs.items()))

    # ----------------------------------------------------- local clients --

    def on_control(self, request: ControlRequest) -> None:
        if request.kind in LOCAL_KINDS:
            request.answer(self.local_answer(request.kind, request.args))
            return
        if self.link is None:
            request.answer(answer(False, "this node is not in the cluster"))
            return
        self.admin_requests += 1
        rid = f"{self.node}:{os.getpid()}:{self.admin_requests}"
        message = msg.AdminRequest(rid, self.node, request.kind, json.dumps(request.args))
        self.pending_clients[rid] = (request.answer, self.clock() + REQUEST_TIMEOUT_S, message)
        self.send(message)

    def resend_pending(self) -> None:
        """A new coordinator: what the old one did not answer goes to it (the
        changes are idempotent: setting a value, writing a constraint)."""
        for _reply, _deadline, message in self.pending_clients.values():
            self.send(message)

    def local_answer(self, kind: str, args: dict) -> dict:
        if kind == "status":
            from pengine.cib.cib_xml import write_cib
            coordinator = self._name(self.coordinator.nodeid) if self.coordinator else None
            return answer(True, "", {
                "cib": write_cib(self.cib), "node": self.node, "pid": os.getpid(),
                "coordinator": coordinator, "coordinating": self.coordinating,
                "quorate": self.view.quorate,
                "config_version": list(self.config_version),
                "fence_failures": dict(self.fence_failures)})
        name = args.get("name")
        if kind == "property-query":
            value = admin.cluster_property(self.cib, name or "")
            return answer(value is not None, "", value)
        node = args.get("node") or self.node
        try:
            lifetime = admin.lifetime_of(args.get("lifetime"), admin.REBOOT)
        except admin.AdminError as error:
            return answer(False, str(error))
        if not name:
            return answer(False, "no attribute name given")
        value = admin.node_attribute(self.cib, node, name, lifetime)
        return answer(value is not None, "" if value is not None else
                      f"attribute '{name}' of {node} is not set", value)

    def check_pending_clients(self, now: float) -> float | None:
        """Answer clients whose request got no answer in time; the next deadline."""
        deadlines = []
        for rid, (reply, deadline, _request) in list(self.pending_clients.items()):
            if now >= deadline:
                del self.pending_clients[rid]
                reply(answer(False, "no answer from the coordinator (it may have changed): "
                                    "try again"))
            else:
                deadlines.append(deadline)
        return min(deadlines) if deadlines else None

    def on_admin_answer(self, reply: msg.AdminAnswer) -> None:
        if reply.origin != self.node:
            return
        pending = self.pending_clients.pop(reply.id, None)
        if pending is None:
            return
        try:
            data = json.loads(reply.data)
        except ValueError:
            data = None
        pending[0](answer(reply.ok, reply.text, data))

    # ------------------------------------------------------- coordinator --

    def on_admin_request(self, request: msg.AdminRequest) -> None:
        if self.join_round is not None:
            self.deferred_requests.append(request)
            return
        try:
            args = json.loads(request.args)
            ok, text, data = self.apply_admin(request.kind, args, request.origin)
        except admin.AdminError as error:
            ok, text, data = False, str(error), None
        except Exception as error:  # noqa: BLE001 - a bad request must not stop the cluster
            log.error("%s request from %s failed: %s: %s", request.kind, request.origin,
                      type(error).__name__, error)
            ok, text, data = False, f"{type(error).__name__}: {error}", None
        self.publish_status()
        self.send(msg.AdminAnswer(request.id, request.origin, ok, text, json.dumps(data)))

    def run_deferred_requests(self) -> None:
        requests, self.deferred_requests = self.deferred_requests, []
        for request in requests:
            self.on_admin_request(request)

    def change_status(self, cib: m.Cib, reason: str) -> bool:
        if cib == self.cib:
            return False
        self.cib = cib
        self.save()
        self._abort(INFINITY, reason)
        return True

    def change_configuration(self, cib: m.Cib, reason: str,
                             incoming: tuple[int, int, int] | None = None) -> bool:
        cib = self._cluster_attributes(cib)
        if admin.same_configuration(cib, self.cib):
            return False
        version = admin.next_epoch(self.config_version)
        if incoming is not None and incoming[0] > version[0]:
            version = incoming
        self.config_version = version
        self.cib = self._cluster_attributes(cib)
        self.save()
        log.info("configuration version %s: %s", _version_text(version), reason)
        self._abort(INFINITY, "Configuration change")
        return True

    def apply_admin(self, kind: str, args: dict, origin: str):
        """Make the change ``kind`` asks for: (ok, text, data)."""
        now = self.clock()
        cib = self.cib
        if kind == "attribute":
            node = args.get("node") or origin
            name = args.get("name")
            if not name:
                raise admin.AdminError("no attribute name given")
            lifetime = admin.lifetime_of(args.get("lifetime"), admin.REBOOT)
            value = args.get("value")
            new = admin.set_node_attribute(cib, node, name, None if value is None
                                           else str(value), lifetime)
            what = f"{name}={value if value is not None else '(deleted)'} on {node}"
            if lifetime == admin.REBOOT:
                if self.change_status(new, "Transient attribute change"):
                    log.info("attribute %s (%s)", what, origin)
            else:
                self.change_configuration(new, f"attribute {what}")
            return True, "", None
        if kind == "property":
            value = args.get("value")
            new = admin.set_property(cib, args.get("name") or "", None if value is None
                                     else str(value))
            self.change_configuration(new, f"cluster option {args.get('name')}={value}")
            return True, "", None
        if kind == "configure":
            from pengine.cib.cib_xml import read_cib
            new_cib = read_cib(args["xml"], f"<configuration from {origin}>")
            if not new_cib.configuration.nodes and not new_cib.configuration.resources \
                    and args.get("replace"):
                raise admin.AdminError("refusing to replace the configuration with an empty one")
            new = (admin.replace_configuration(cib, new_cib) if args.get("replace")
                   else admin.update_configuration(cib, new_cib))
            incoming = admin.config_version(new_cib) if args.get("source") != FILE_CHANGE \
                else None
            changed = self.change_configuration(new, f"{'replaced' if args.get('replace') else 'updated'} "
                                                     f"from {origin}", incoming)
            text = (f"configuration version {_version_text(self.config_version)}"
                    + ("" if changed else " (unchanged)"))
            return True, text, {"version": list(self.config_version), "changed": changed}
        rsc = args.get("resource")
        node = args.get("node")
        if kind in ("move", "ban"):
            promoted = bool(args.get("promoted"))
            lifetime = args.get("lifetime")
            if kind == "move" and node:
                new = admin.prefer(cib, rsc, node, lifetime, now, promoted)
                text = f"{rsc} prefers {node} (cli-prefer-{rsc})"
            else:
                if not node:
                    where = admin.active_nodes(cib, rsc, now)
                    if len(where) != 1:
                        raise admin.AdminError(
                            f"{rsc} is active on {len(where)} nodes: give the node to "
                            f"{'move it to' if kind == 'move' else 'ban it from'}")
                    node = where[0]
                new = admin.ban(cib, rsc, node, lifetime, now, promoted)
                text = f"{rsc} is banned from {node} (cli-ban-{rsc}-on-{node})"
            if lifetime:
                text += f" until {admin.lifetime_end(lifetime, now)}"
            self.change_configuration(new, f"{kind} {rsc}")
            return True, text, None
        if kind == "clear":
            new, removed = admin.clear(cib, rsc, node)
            self.change_configuration(new, f"clear {rsc}")
            return True, ("removed " + ", ".join(removed)) if removed else \
                "no constraint to remove", removed
        if kind == "meta":
            new = admin.set_meta(cib, rsc, args["name"], args.get("value"))
            self.change_configuration(new, f"{rsc} {args['name']}={args.get('value')}")
            return True, "", None
        if kind == "cleanup":
            new = admin.cleanup(cib, rsc, node)
            self.change_status(new, "Resource cleanup")
            return True, (f"cleaned up {rsc or 'all resources'} on {node or 'all nodes'}"), None
        if kind == "fencing-history":
            return True, "", {"history": self.fence_history,
                              "failures": dict(self.fence_failures)}
        if kind == "fencing-cleanup":
            target = node
            cleared = sorted(t for t in self.fence_failures if target in (None, t))
            for name in cleared:
                self.fence_failures.pop(name, None)
            self.fence_history = [h for h in self.fence_history
                                  if target not in (None, h["target"])]
            self._abort(INFINITY, "Fencing history cleanup")
            return True, ("cleared fencing failures of " + ", ".join(cleared)) if cleared \
                else "no fencing failure to clear", cleared
        raise admin.AdminError(f"unknown request '{kind}'")

    def record_fencing(self, target: str, action: str, ok: bool, device: str | None,
                       reason: str) -> None:
        self.fence_history.append({"target": target, "action": action,
                                   "state": "success" if ok else "failed",
                                   "device": device or "", "reason": reason,
                                   "delegate": self.node, "completed": time.time()})
        del self.fence_history[:-100]

    # ------------------------------------------------------ configuration --

    def join_configuration(self, replies) -> None:
        """The newest configuration among this node and the members that
        answered the join wins."""
        from pengine.transitions.execute import membership as ms
        newest = max((r for r in replies if r.config is not None),
                     key=lambda r: tuple(r.config_version), default=None)
        if newest is None or tuple(newest.config_version) <= self.config_version:
            return
        try:
            other = ms.cib_from_xml(newest.config, f"configuration from {newest.node}")
        except Exception as error:  # noqa: BLE001 - a bad copy is ignored
            log.error("configuration from %s unreadable: %s", newest.node, error)
            return
        log.info("join: taking the configuration of %s (version %s)", newest.node,
                 _version_text(tuple(newest.config_version)))
        self.config_version = tuple(newest.config_version)
        self.cib = self._cluster_attributes(evolve(self.cib,
                                                   configuration=other.configuration))
        self._abort(INFINITY, "Configuration change")

    def adopt_configuration(self, cib: m.Cib) -> None:
        """A member takes the coordinator's configuration, whatever its version."""
        version = admin.config_version(cib)
        if version[:2] == self.config_version[:2] and cib.configuration == self.cib.configuration:
            return
        if cib.configuration != self.cib.configuration:
            log.info("configuration version %s from the coordinator", _version_text(version))
        self.config_version = version
        self.cib = evolve(self.cib, configuration=cib.configuration)

    def configuration_file_changed(self, config: m.Cib) -> None:
        """(Controller's hook) This node's configuration file changed: in a
        cluster that is a change for the coordinator to make, not one this
        node makes alone; ask it to take the file, as ``pengine configure
        --replace`` would."""
        from pengine.cib.cib_xml import write_cib
        if self.link is None:
            return
        log.info("%s changed: asking the coordinator to take it", self.config_path)
        self.admin_requests += 1
        rid = f"{self.node}:{os.getpid()}:{self.admin_requests}"
        self.send(msg.AdminRequest(rid, self.node, "configure", json.dumps(
            {"xml": write_cib(config, with_status=False), "replace": True,
             "source": FILE_CHANGE})))


def _version_text(version) -> str:
    return ".".join(str(v) for v in version)
