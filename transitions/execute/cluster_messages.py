"""The messages cluster nodes exchange over their process group.

Every message is multicast to the whole group (Corosync's CPG delivers it to
every member, the sender included, in one total order), so a message names
the node it is for where that matters.  A message is a frozen value; on the
wire it is JSON (zlib-compressed when large) behind a one-byte tag.

- the coordinator asks a node to run, cancel or forget something
  (:class:`Exec`), and the node reports each result of its executor
  (:class:`Result`) or that a bookkeeping request is done (:class:`Done`);
- after a change of coordinator or members, the coordinator asks everyone
  for what their executor knows (:class:`JoinRequest`) and each node
  answers with its own resource history and its copy of the cluster status
  (:class:`JoinReply`), from which the coordinator rebuilds the status;
- the coordinator publishes the status after each change
  (:class:`StatusUpdate`), so that whoever takes over starts from it;
- a node that is asked to stop requests a clean shutdown
  (:class:`ShutdownRequest`) and leaves when the coordinator allows it
  (:class:`ShutdownGranted`, the transition's ``do_shutdown``; every member
  learns from it that the node's leaving is clean);
- every member's main loop says it runs (:class:`Heartbeat`), and a member
  silent too long is dropped by all (:class:`Evict`,
  :mod:`transitions.execute.liveness`);
- the coordinator announces each fencing (:class:`FenceStarted`), may ask a
  peer to run it (:class:`FenceRequest`, answered by :class:`FenceResult`,
  :mod:`transitions.execute.fencing_peers`), and tells everyone how it ended
  (:class:`FenceNotice`: no longer expected up, fencing alerts).
"""

from __future__ import annotations

import base64
import json
import zlib

from attrs import field, fields, frozen

from pengine.transitions.execute.agents import AgentRequest

COMPRESS_ABOVE = 2048
RAW, COMPRESSED = b"J", b"Z"


class MessageError(ValueError):
    pass


@frozen
class Exec:
    to: str                        # node name
    op: str                        # run | cancel | delete
    action_id: int
    transition_id: int
    request: AgentRequest
    key: str                       # the transition key (action:transition:rc:uuid)
    start_delay_ms: int = 0
    digest: str | None = None


@frozen
class Result:
    node: str
    call_id: int
    request: AgentRequest
    key: str
    rc: int
    status: int
    exit_reason: str = ""
    exec_ms: int = 0
    queue_ms: int = 0
    started_at: float = 0.0
    finished_at: float = 0.0
    rc_changed_at: float = 0.0
    digest: str | None = None
    # the reload and secure digests from the node's agent meta-data
    # (transitions.execute.history_digests)
    extra: tuple[tuple[str, str], ...] = field(
        default=(), converter=lambda v: tuple(tuple(pair) for pair in v))


@frozen
class Done:
    node: str
    action_id: int
    key: str


@frozen
class JoinRequest:
    round: str


@frozen
class JoinReply:
    round: str
    node: str
    fresh: bool                    # the node's first join since its process started
    history: bytes                 # its node_state (resource history) as CIB XML
    status_version: tuple[int, int]
    status: bytes | None = None    # its copy of the status (CIB XML), if any
    # its configuration and that configuration's (admin_epoch, epoch, num_updates)
    config_version: tuple[int, int, int] = (0, 0, 0)
    config: bytes | None = None


@frozen
class StatusUpdate:
    version: tuple[int, int]       # (coordinator generation, update number)
    cib: bytes                     # CIB XML


@frozen
class ShutdownRequest:
    node: str


@frozen
class ShutdownGranted:
    node: str


# --- fencing and liveness (transitions.execute.fencing_peers, .liveness) ---

@frozen
class Heartbeat:
    """Every member's main loop says, every second, that it still runs."""

    node: str


@frozen
class Evict:
    """A member has not been heard from for too long (its pengine hangs
    while its corosync runs): every member drops it from the group."""

    nodeid: int
    pid: int
    by: str


@frozen
class FenceRequest:
    """The coordinator asks ``executor`` to fence ``target`` with the
    devices the coordinator lists for it (the executor's own registered
    devices are tried too), level by level (fencing topology)."""

    request_id: str
    executor: str
    target: str
    action: str
    timeout_ms: int
    devices: tuple[AgentRequest, ...] = field(default=(), converter=tuple)
    levels: tuple[tuple[str, ...], ...] = field(
        default=(), converter=lambda v: tuple(tuple(level) for level in v))


@frozen
class FenceResult:
    request_id: str
    executor: str
    target: str
    action: str
    rc: int
    status: int
    exit_reason: str = ""
    device: str | None = None


@frozen
class FenceStarted:
    """The coordinator begins to fence ``target`` (what a later notice of
    its success excuses: the target's process of that moment)."""

    target: str


@frozen
class FenceNotice:
    """A fencing came to an end (as Pacemaker's fencer tells every node):
    every member learns that ``target`` is down, and runs its alerts."""

    target: str
    action: str
    ok: bool
    executor: str
    device: str | None = None
    description: str = ""
# -- the attribute manager, one configuration, admin commands
# (transitions.execute.cluster_admin): a node passes what its local clients
# ask (an attribute, a configuration change, move, cleanup...) to the
# coordinator, which makes the change, publishes it (a status update carries
# the whole CIB: members take a configuration of another version from it)
# and then answers, so that the asking node has the change when it answers.

@frozen
class AdminRequest:
    id: str                        # unique: the asking node's pid and a counter
    origin: str                    # the node whose client waits for the answer
    kind: str
    args: str                      # JSON object


@frozen
class AdminAnswer:
    id: str
    origin: str
    ok: bool
    text: str = ""
    data: str = "null"             # JSON


MESSAGES = {cls.__name__: cls for cls in (Exec, Result, Done, JoinRequest, JoinReply,
                                          StatusUpdate, ShutdownRequest, ShutdownGranted,
                                          Heartbeat, Evict, FenceRequest, FenceResult,
                                          FenceStarted, FenceNotice,
                                          AdminRequest, AdminAnswer)}


def _plain(value):
    if isinstance(value, AgentRequest):
        return {"rsc_id": value.rsc_id, "standard": value.standard, "agent": value.agent,
                "action": value.action, "provider": value.provider,
                "interval_ms": value.interval_ms, "params": [list(p) for p in value.params],
                "timeout_ms": value.timeout_ms}
    if isinstance(value, bytes):
        return {"b64": base64.b64encode(value).decode()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def encode(message) -> bytes:
    body = {"type": type(message).__name__}
    for f in fields(type(message)):
        body[f.name] = _plain(getattr(message, f.name))
    data = json.dumps(body, separators=(",", ":")).encode()
    if len(data) > COMPRESS_ABOVE:
        return COMPRESSED + zlib.compress(data, 6)
    return RAW + data


def _request(value) -> AgentRequest:
    try:
        return AgentRequest(value["rsc_id"], value["standard"], value["agent"],
                            value["action"], provider=value.get("provider"),
                            interval_ms=int(value.get("interval_ms") or 0),
                            params=[tuple(p) for p in value.get("params", ())],
                            timeout_ms=int(value.get("timeout_ms") or 20000))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise MessageError(f"bad request: {error}") from None


def _field_value(name: str, value):
    if isinstance(value, dict) and "b64" in value:
        return base64.b64decode(value["b64"])
    if name == "request":
        return _request(value)
    if name == "devices" and isinstance(value, list):
        return tuple(_request(v) for v in value)
    if isinstance(value, list):
        return tuple(value)
    return value


def decode(data: bytes):
    """The message in ``data``; MessageError when it is not one."""
    tag, payload = data[:1], data[1:]
    try:
        if tag == COMPRESSED:
            payload = zlib.decompress(payload)
        elif tag != RAW:
            raise MessageError(f"unknown message tag {tag!r}")
        body = json.loads(payload)
    except (zlib.error, ValueError) as error:
        raise MessageError(f"unreadable message: {error}") from None
    if not isinstance(body, dict):
        raise MessageError("a message is a JSON object")
    cls = MESSAGES.get(body.pop("type", None))
    if cls is None:
        raise MessageError("unknown message type")
    try:
        return cls(**{k: _field_value(k, v) for k, v in body.items()})
    except TypeError as error:
        raise MessageError(f"bad {cls.__name__}: {error}") from None
