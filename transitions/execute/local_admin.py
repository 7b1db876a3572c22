"""``pengine run`` on one node (no ``--cluster``) with the control socket too.

The node is its own coordinator: what its agents' ``crm_attribute``,
``crm_master`` and ``attrd_updater`` ask, and ``pengine configure``,
``resource``, ``node``, ``fencing`` and ``status``, are made at once with
the same functions a cluster's coordinator uses
(:mod:`transitions.execute.cluster_admin`).  Its configuration file stays
the configuration: an edit of the file is taken as before.
"""

from __future__ import annotations

import logging

from attrs import frozen

from pengine.cib import model as m
from pengine.transitions.execute import admin
from pengine.transitions.execute.cluster_admin import LOCAL_KINDS, ClusterAdmin
from pengine.transitions.execute.control import ControlRequest, answer
from pengine.transitions.execute.controller import Controller

log = logging.getLogger("pengine.run")


@frozen
class _Alone:
    quorate: bool = True


class LocalAdminController(ClusterAdmin, Controller):
    # one node: its own file is the configuration (not a request to a coordinator)
    configuration_file_changed = Controller.configuration_file_changed

    def __init__(self, *args, **kwargs):
        Controller.__init__(self, *args, **kwargs)
        self.init_admin()
        self.link = None
        self.coordinator = None
        self.coordinating = True
        self.join_round = None
        self.view = _Alone()

    def start(self) -> None:
        Controller.start(self)
        self.config_version = admin.config_version(self.cib)
        self.start_control()

    def run(self) -> int:
        try:
            return Controller.run(self)
        finally:
            self.stop_control()

    def _cluster_attributes(self, cib: m.Cib) -> m.Cib:
        return self.versioned(Controller._cluster_attributes(self, cib))

    def handle(self, message) -> None:
        if isinstance(message, ControlRequest):
            self.on_local_control(message)
        else:
            Controller.handle(self, message)

    def on_local_control(self, request: ControlRequest) -> None:
        if request.kind in LOCAL_KINDS:
            request.answer(self.local_answer(request.kind, request.args))
            return
        try:
            ok, text, data = self.apply_admin(request.kind, request.args, self.node)
        except admin.AdminError as error:
            ok, text, data = False, str(error), None
        except Exception as error:  # noqa: BLE001 - a bad request must not stop the node
            log.error("%s request failed: %s: %s", request.kind, type(error).__name__, error)
            ok, text, data = False, f"{type(error).__name__}: {error}", None
        request.answer(answer(ok, text, data))

    def publish_status(self) -> None:
        """Nobody else to tell."""

    def _name(self, nodeid) -> str:
        return self.node
