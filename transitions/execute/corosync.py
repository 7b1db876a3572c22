"""Corosync through ctypes: membership, quorum and closed process groups.

Three of Corosync's client libraries, loaded with ctypes (Debian ships no
Python binding):

- ``libquorum``: whether this partition has quorum, and its members (node
  ids), delivered as a callback whenever either changes;
- ``libcpg``: a closed process group.  Messages multicast to the group are
  delivered to every member in one total order (``CPG_TYPE_AGREED``), and
  membership changes of the group (a process joins, leaves or its node
  goes) arrive in that same order, between the messages (virtual
  synchrony).  The ``V1`` model also reports every change of the totem
  ring, with its ring id;
- ``libcmap``: the configuration (node names and ids), read at start only.

The libraries talk to the local corosync over libqb IPC on abstract unix
sockets, which belong to the network namespace: a client reaches the
corosync of its own namespace.

:class:`CorosyncLink` owns the connections on one thread.  It waits on the
libraries' file descriptors and dispatches their callbacks as they become
readable (no polling loop, no text parsing), turns each callback into a
frozen event for its owner, and sends what the owner queues with
:meth:`CorosyncLink.send` (the libraries' handles are used from that
thread only).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import queue
import select
import threading
import time
from typing import Callable

from attrs import field, frozen

log = logging.getLogger("pengine.run")

CS_OK = 1
CS_ERR_LIBRARY = 2
CS_ERR_TRY_AGAIN = 6
CS_ERR_BAD_HANDLE = 9
CS_ERR_EXIST = 14
CS_DISPATCH_ONE = 1
CS_DISPATCH_ALL = 2
CS_DISPATCH_ONE_NONBLOCKING = 4
CS_TRACK_CURRENT = 1
CS_TRACK_CHANGES = 2
CPG_TYPE_AGREED = 2
CPG_MODEL_V1 = 1
CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF = 1
CPG_MAX_NAME_LENGTH = 128
CPG_REASONS = {1: "join", 2: "leave", 3: "nodedown", 4: "nodeup", 5: "procdown"}
CMAP_STRING = 11
CMAP_INT_SIZES = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 8, 8: 8}   # type -> bytes

ERRORS = {1: "OK", 2: "library (no corosync here?)", 3: "version", 4: "init", 5: "timeout",
          6: "try again", 7: "invalid parameter", 8: "no memory", 9: "bad handle",
          10: "busy", 11: "access", 12: "not exist", 13: "name too long", 14: "exist",
          15: "no space", 16: "interrupt", 17: "name not found", 18: "no resources",
          19: "not supported", 20: "bad operation", 21: "failed operation",
          22: "message error", 23: "queue full", 24: "queue not available",
          25: "bad flags", 26: "too big", 27: "no section", 28: "context not found",
          29: "too many groups", 100: "security"}


class CorosyncError(OSError):
    """A Corosync library call failed (cs_error_t in ``code``)."""

    def __init__(self, what: str, code: int):
        super().__init__(f"{what}: {ERRORS.get(code, 'error')} (cs_error_t {code})")
        self.code = code


def _check(code: int, what: str) -> None:
    if code != CS_OK:
        raise CorosyncError(what, code)


# ------------------------------------------------------------ libraries --

class _Libraries:
    def __init__(self):
        self.quorum = ctypes.CDLL("libquorum.so.5", use_errno=True)
        self.cpg = ctypes.CDLL("libcpg.so.4", use_errno=True)
        self.cmap = ctypes.CDLL("libcmap.so.4", use_errno=True)
        u64, u32, ptr, size = ctypes.c_uint64, ctypes.c_uint32, ctypes.c_void_p, ctypes.c_size_t
        for lib, name, args in (
                (self.quorum, "quorum_initialize", [ptr, ptr, ptr]),
                (self.quorum, "quorum_finalize", [u64]),
                (self.quorum, "quorum_fd_get", [u64, ptr]),
                (self.quorum, "quorum_dispatch", [u64, ctypes.c_int]),
                (self.quorum, "quorum_getquorate", [u64, ptr]),
                (self.quorum, "quorum_trackstart", [u64, ctypes.c_uint]),
                (self.cpg, "cpg_model_initialize", [ptr, ctypes.c_int, ptr, ptr]),
                (self.cpg, "cpg_finalize", [u64]),
                (self.cpg, "cpg_fd_get", [u64, ptr]),
                (self.cpg, "cpg_dispatch", [u64, ctypes.c_int]),
                (self.cpg, "cpg_join", [u64, ptr]),
                (self.cpg, "cpg_leave", [u64, ptr]),
                (self.cpg, "cpg_mcast_joined", [u64, ctypes.c_int, ptr, ctypes.c_uint]),
                (self.cpg, "cpg_local_get", [u64, ptr]),
                (self.cpg, "cpg_max_atomic_msgsize_get", [u64, ptr]),
                (self.cmap, "cmap_initialize", [ptr]),
                (self.cmap, "cmap_finalize", [u64]),
                (self.cmap, "cmap_iter_init", [u64, ctypes.c_char_p, ptr]),
                (self.cmap, "cmap_iter_next", [u64, u64, ctypes.c_char_p, ptr, ptr]),
                (self.cmap, "cmap_iter_finalize", [u64, u64]),
                (self.cmap, "cmap_get", [u64, ctypes.c_char_p, ptr, ptr, ptr])):
            function = getattr(lib, name)
            function.argtypes = args
            function.restype = ctypes.c_int
        del u32, size


_libraries: _Libraries | None = None


def libraries() -> _Libraries:
    global _libraries
    if _libraries is None:
        try:
            _libraries = _Libraries()
        except OSError as error:
            raise CorosyncError(f"Corosync's client libraries are not installed ({error})",
                                CS_ERR_LIBRARY) from None
    return _libraries


def available() -> bool:
    """Whether the client libraries can be loaded (not whether corosync runs)."""
    try:
        libraries()
    except CorosyncError:
        return False
    return True


# --------------------------------------------------------------- quorum --

# void (*)(quorum_handle_t, uint32_t quorate, uint64_t ring_seq, uint32_t n, uint32_t *view)
QUORUM_NOTIFY = ctypes.CFUNCTYPE(None, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_uint64,
                                 ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32))


class _QuorumCallbacks(ctypes.Structure):
    _fields_ = [("quorum_notify_fn", QUORUM_NOTIFY)]


class Quorum:
    """A libquorum connection that reports every change of quorum or members."""

    def __init__(self, on_change: Callable[[bool, int, tuple[int, ...]], None]):
        lib = libraries().quorum
        self._lib = lib
        self._on_change = on_change
        self._notify = QUORUM_NOTIFY(self._callback)      # kept alive with self
        self._callbacks = _QuorumCallbacks(self._notify)
        self.handle = ctypes.c_uint64()
        qtype = ctypes.c_uint32()
        _check(lib.quorum_initialize(ctypes.byref(self.handle), ctypes.byref(self._callbacks),
                                     ctypes.byref(qtype)), "quorum_initialize")
        _check(lib.quorum_trackstart(self.handle, CS_TRACK_CURRENT | CS_TRACK_CHANGES),
               "quorum_trackstart")

    def _callback(self, _handle, quorate, ring_seq, count, view):
        self._on_change(bool(quorate), int(ring_seq), tuple(view[i] for i in range(count)))

    def fd(self) -> int:
        fd = ctypes.c_int()
        _check(self._lib.quorum_fd_get(self.handle, ctypes.byref(fd)), "quorum_fd_get")
        return fd.value

    def dispatch(self) -> int:
        return self._lib.quorum_dispatch(self.handle, CS_DISPATCH_ALL)

    def refresh(self) -> None:
        """Have the current state delivered again (through the callback)."""
        code = self._lib.quorum_trackstart(self.handle, CS_TRACK_CURRENT)
        if code not in (CS_OK, CS_ERR_EXIST):
            raise CorosyncError("quorum_trackstart", code)

    def quorate(self) -> bool:
        """Ask corosync now (not what the last callback said)."""
        value = ctypes.c_int()
        _check(self._lib.quorum_getquorate(self.handle, ctypes.byref(value)),
               "quorum_getquorate")
        return bool(value.value)

    def close(self) -> None:
        if self.handle.value:
            self._lib.quorum_finalize(self.handle)
            self.handle = ctypes.c_uint64()


# ------------------------------------------------------ process groups --

class CpgName(ctypes.Structure):
    _fields_ = [("length", ctypes.c_uint32), ("value", ctypes.c_char * CPG_MAX_NAME_LENGTH)]


class CpgAddress(ctypes.Structure):
    _fields_ = [("nodeid", ctypes.c_uint32), ("pid", ctypes.c_uint32),
                ("reason", ctypes.c_uint32)]


class CpgRingId(ctypes.Structure):
    _fields_ = [("nodeid", ctypes.c_uint32), ("seq", ctypes.c_uint64)]


class IoVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


CPG_DELIVER = ctypes.CFUNCTYPE(None, ctypes.c_uint64, ctypes.POINTER(CpgName), ctypes.c_uint32,
                               ctypes.c_uint32, ctypes.c_void_p, ctypes.c_size_t)
CPG_CONFCHG = ctypes.CFUNCTYPE(None, ctypes.c_uint64, ctypes.POINTER(CpgName),
                               ctypes.POINTER(CpgAddress), ctypes.c_size_t,
                               ctypes.POINTER(CpgAddress), ctypes.c_size_t,
                               ctypes.POINTER(CpgAddress), ctypes.c_size_t)
CPG_TOTEM_CONFCHG = ctypes.CFUNCTYPE(None, ctypes.c_uint64, CpgRingId, ctypes.c_uint32,
                                     ctypes.POINTER(ctypes.c_uint32))


class _CpgModelV1(ctypes.Structure):
    _fields_ = [("model", ctypes.c_int), ("cpg_deliver_fn", CPG_DELIVER),
                ("cpg_confchg_fn", CPG_CONFCHG), ("cpg_totem_confchg_fn", CPG_TOTEM_CONFCHG),
                ("flags", ctypes.c_uint)]


@frozen
class Process:
    """A member of a process group: a process on a node."""

    nodeid: int
    pid: int
    reason: str = ""


def _addresses(array, count: int) -> tuple[Process, ...]:
    return tuple(Process(array[i].nodeid, array[i].pid, CPG_REASONS.get(array[i].reason, ""))
                 for i in range(count))


class ProcessGroup:
    """One closed process group (libcpg, model V1), joined on creation."""

    def __init__(self, name: str,
                 on_deliver: Callable[[int, int, bytes], None],
                 on_confchg: Callable[[tuple, tuple, tuple], None],
                 on_totem: Callable[[int, int, tuple[int, ...]], None]):
        lib = libraries().cpg
        self._lib = lib
        self._on_deliver, self._on_confchg, self._on_totem = on_deliver, on_confchg, on_totem
        self._deliver = CPG_DELIVER(self._deliver_cb)
        self._confchg = CPG_CONFCHG(self._confchg_cb)
        self._totem = CPG_TOTEM_CONFCHG(self._totem_cb)
        self._model = _CpgModelV1(CPG_MODEL_V1, self._deliver, self._confchg, self._totem,
                                  CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF)
        encoded = name.encode()
        if len(encoded) > CPG_MAX_NAME_LENGTH:
            raise ValueError(f"process group name too long: {name}")
        self.name = CpgName(len(encoded), encoded)
        self.handle = ctypes.c_uint64()
        _check(lib.cpg_model_initialize(ctypes.byref(self.handle), CPG_MODEL_V1,
                                        ctypes.byref(self._model), None), "cpg_initialize")
        try:
            _retry(lambda: lib.cpg_join(self.handle, ctypes.byref(self.name)), "cpg_join")
        except CorosyncError:
            self.close()
            raise

    def _deliver_cb(self, _handle, _group, nodeid, pid, msg, length):
        self._on_deliver(int(nodeid), int(pid), ctypes.string_at(msg, length))

    def _confchg_cb(self, _handle, _group, members, n_members, left, n_left, joined, n_joined):
        self._on_confchg(_addresses(members, n_members), _addresses(left, n_left),
                         _addresses(joined, n_joined))

    def _totem_cb(self, _handle, ring_id, count, members):
        self._on_totem(int(ring_id.nodeid), int(ring_id.seq),
                       tuple(members[i] for i in range(count)))

    def fd(self) -> int:
        fd = ctypes.c_int()
        _check(self._lib.cpg_fd_get(self.handle, ctypes.byref(fd)), "cpg_fd_get")
        return fd.value

    def dispatch(self) -> int:
        return self._lib.cpg_dispatch(self.handle, CS_DISPATCH_ALL)

    def local_nodeid(self) -> int:
        nodeid = ctypes.c_uint()
        _check(self._lib.cpg_local_get(self.handle, ctypes.byref(nodeid)), "cpg_local_get")
        return nodeid.value

    def mcast(self, data: bytes) -> int:
        """Multicast ``data`` to the group in total order; the cs_error_t
        (CS_ERR_TRY_AGAIN while corosync applies flow control)."""
        buffer = ctypes.create_string_buffer(data, len(data))
        iov = IoVec(ctypes.cast(buffer, ctypes.c_void_p), len(data))
        return self._lib.cpg_mcast_joined(self.handle, CPG_TYPE_AGREED, ctypes.byref(iov), 1)

    def close(self) -> None:
        if self.handle.value:
            self._lib.cpg_leave(self.handle, ctypes.byref(self.name))
            self._lib.cpg_finalize(self.handle)
            self.handle = ctypes.c_uint64()


def _retry(call: Callable[[], int], what: str, attempts: int = 100) -> None:
    for _ in range(attempts):
        code = call()
        if code != CS_ERR_TRY_AGAIN:
            _check(code, what)
            return
        time.sleep(0.05)
    raise CorosyncError(what, CS_ERR_TRY_AGAIN)


# ----------------------------------------------------------------- cmap --

def cmap_values(prefix: str) -> dict[str, int | str | bytes]:
    """Every cmap key under ``prefix`` with its value (corosync-cmapctl -b)."""
    lib = libraries().cmap
    handle, it = ctypes.c_uint64(), ctypes.c_uint64()
    _check(lib.cmap_initialize(ctypes.byref(handle)), "cmap_initialize")
    values: dict[str, int | str | bytes] = {}
    try:
        _check(lib.cmap_iter_init(handle, prefix.encode(), ctypes.byref(it)), "cmap_iter_init")
        key = ctypes.create_string_buffer(256)
        length, vtype = ctypes.c_size_t(), ctypes.c_int()
        while lib.cmap_iter_next(handle, it, key, ctypes.byref(length),
                                 ctypes.byref(vtype)) == CS_OK:
            buffer = ctypes.create_string_buffer(max(length.value, 8) + 1)
            size = ctypes.c_size_t(len(buffer))
            if lib.cmap_get(handle, key.value, buffer, ctypes.byref(size),
                            ctypes.byref(vtype)) != CS_OK:
                continue
            name = key.value.decode()
            if vtype.value == CMAP_STRING:
                values[name] = buffer.value.decode(errors="replace")
            elif vtype.value in CMAP_INT_SIZES:
                width = CMAP_INT_SIZES[vtype.value]
                values[name] = int.from_bytes(buffer.raw[:width], "little",
                                              signed=vtype.value % 2 == 1)
            else:
                values[name] = buffer.raw[:size.value]
        lib.cmap_iter_finalize(handle, it)
    finally:
        lib.cmap_finalize(handle)
    return values


def nodelist() -> dict[int, str]:
    """The configured nodes: node id -> name (``nodelist.node.N.{nodeid,name}``;
    a node without a name is known by its ring0 address, as Pacemaker does)."""
    entries: dict[str, dict[str, object]] = {}
    for key, value in cmap_values("nodelist.node.").items():
        parts = key.split(".")
        if len(parts) == 4:
            entries.setdefault(parts[2], {})[parts[3]] = value
    nodes = {}
    for entry in entries.values():
        if "nodeid" in entry:
            nodes[int(entry["nodeid"])] = str(entry.get("name") or entry.get("ring0_addr"))
    return nodes


def local_nodeid() -> int:
    value = cmap_values("runtime.votequorum.this_node_id").get("runtime.votequorum.this_node_id")
    if not isinstance(value, int):
        raise CorosyncError("this node's id is not in cmap", CS_ERR_LIBRARY)
    return value


# ---------------------------------------------------------------- events --

@frozen
class QuorumChanged:
    quorate: bool
    ring_seq: int
    members: tuple[int, ...] = field(converter=lambda v: tuple(sorted(v)))


@frozen
class RingChanged:
    """The totem ring (all nodes whose corosync is in this partition)."""

    ring_seq: int
    members: tuple[int, ...] = field(converter=lambda v: tuple(sorted(v)))


@frozen
class GroupChanged:
    """The process group's members changed (in message order)."""

    members: tuple[Process, ...]
    left: tuple[Process, ...]
    joined: tuple[Process, ...]


@frozen
class Delivered:
    nodeid: int
    pid: int
    data: bytes


@frozen
class LinkLost:
    """The local corosync went away (or refused us)."""

    reason: str


# ------------------------------------------------------------------ link --

class CorosyncLink:
    """Quorum and one process group on a thread of their own.

    Every callback becomes an event passed to ``post`` (from the link's
    thread); :meth:`send` queues a message, which the link's thread
    multicasts (retrying while corosync applies flow control).
    """

    def __init__(self, group: str, post: Callable[[object], None]):
        self.group = group
        self.post = post
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._stop = False
        self._refresh = False
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.nodeid: int | None = None
        self._thread = threading.Thread(target=self._main, name="corosync", daemon=True)

    def start(self, timeout: float = 10.0) -> int:
        """Connect and join; this node's id.  Raises CorosyncError."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise CorosyncError("connecting to corosync timed out", 5)
        if self._error is not None:
            raise self._error
        return self.nodeid

    def send(self, data: bytes) -> None:
        self._outbox.put(data)
        self._wake()

    def refresh_quorum(self) -> None:
        """Ask for the current quorum state again (a QuorumChanged follows)."""
        self._refresh = True
        self._wake()

    def stop(self) -> None:
        self._stop = True
        self._wake()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(5)

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    def _main(self) -> None:
        quorum = group = None
        try:
            try:
                quorum = Quorum(lambda q, seq, members: self.post(QuorumChanged(q, seq, members)))
                group = ProcessGroup(
                    self.group,
                    lambda nodeid, pid, data: self.post(Delivered(nodeid, pid, data)),
                    lambda members, left, joined: self.post(GroupChanged(members, left, joined)),
                    lambda _nodeid, seq, members: self.post(RingChanged(seq, members)))
                self.nodeid = group.local_nodeid()
                fds = {quorum.fd(): quorum, group.fd(): group}
            except BaseException as error:  # noqa: BLE001 - handed to start()
                self._error = error
                return
            finally:
                self._ready.set()
            self._loop(fds, group, quorum)
        finally:
            for connection in (group, quorum):
                if connection is not None:
                    connection.close()
            os.close(self._wake_r)
            os.close(self._wake_w)

    def _loop(self, fds: dict, group: ProcessGroup, quorum: Quorum) -> None:
        pending: list[bytes] = []
        while not self._stop:
            if self._refresh:
                self._refresh = False
                try:
                    quorum.refresh()
                except CorosyncError as error:
                    self.post(LinkLost(str(error)))
                    return
            while True:
                try:
                    pending.append(self._outbox.get_nowait())
                except queue.Empty:
                    break
            pending = self._flush(group, pending)
            if pending is None:
                return
            timeout = 0.05 if pending else None
            try:
                readable, _, _ = select.select([self._wake_r, *fds], [], [], timeout)
            except InterruptedError:
                continue
            for fd in readable:
                if fd == self._wake_r:
                    try:
                        while os.read(self._wake_r, 4096):
                            pass
                    except BlockingIOError:
                        pass
                    continue
                code = fds[fd].dispatch()
                if code not in (CS_OK, CS_ERR_TRY_AGAIN):
                    self.post(LinkLost(f"corosync connection lost "
                                       f"({ERRORS.get(code, 'error')}, cs_error_t {code})"))
                    return

    def _flush(self, group: ProcessGroup, pending: list[bytes]) -> list[bytes] | None:
        """Send what is queued, in order; what must wait (flow control)."""
        while pending:
            code = group.mcast(pending[0])
            if code == CS_ERR_TRY_AGAIN:
                return pending
            if code != CS_OK:
                self.post(LinkLost(f"sending to the process group failed "
                                   f"({ERRORS.get(code, 'error')}, cs_error_t {code})"))
                return None
            pending.pop(0)
        return pending
