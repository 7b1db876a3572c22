"""Fencing run by another member: who runs it, and what is still awaited.

Any member can run a fence device.  The coordinator fences with its own
fencer, except when the target is the coordinator itself (a node does not
fence itself) or its fencer has no device that reaches the target: then it
asks a peer (:class:`~pengine.transitions.execute.cluster_messages.FenceRequest`,
with the devices the configuration allows on that peer and the target's
fencing levels), and the peer answers with the result
(:class:`~pengine.transitions.execute.cluster_messages.FenceResult`).  A
peer that leaves before answering has failed that fencing.
"""

from __future__ import annotations

from attrs import evolve, field, frozen

from pengine.transitions.execute.codes import EXEC_NO_FENCE_DEVICE, EXEC_NOT_INSTALLED

EXTRA_WAIT_S = 10.0      # beyond the fencing timeouts, for the messages


def fence_executor(members: frozenset[int], me: int | None, target_id: int | None,
                   tried: frozenset[int] = frozenset()) -> int | None:
    """The member to ask: the lowest node id that is neither this node,
    the target, nor one already tried."""
    others = sorted(n for n in members if n != me and n != target_id and n not in tried)
    return others[0] if others else None


def lacks_access(status: int) -> bool:
    """A local fencing failed for want of a device here: a peer may have one."""
    return status in (EXEC_NO_FENCE_DEVICE, EXEC_NOT_INSTALLED)


@frozen
class PeerFencing:
    """A fencing the coordinator asked ``executor`` (a node id) to run."""

    request_id: str
    action_id: int
    transition_id: int
    target: str
    action: str
    executor: int
    deadline: float


@frozen
class PeerFencings:
    pending: tuple[PeerFencing, ...] = field(default=(), converter=tuple)
    # per graph action: the node ids already asked (a failed peer is not asked again)
    tried: tuple[tuple[int, frozenset[int]], ...] = field(default=(), converter=tuple)

    def add(self, fencing: PeerFencing) -> "PeerFencings":
        tried = dict(self.tried)
        tried[fencing.action_id] = tried.get(fencing.action_id, frozenset()) | {fencing.executor}
        return PeerFencings(self.pending + (fencing,), tuple(tried.items()))

    def take(self, request_id: str) -> tuple[PeerFencing | None, "PeerFencings"]:
        found = next((f for f in self.pending if f.request_id == request_id), None)
        if found is None:
            return None, self
        return found, evolve(self, pending=tuple(f for f in self.pending if f is not found))

    def tried_for(self, action_id: int) -> frozenset[int]:
        return dict(self.tried).get(action_id, frozenset())

    def lost(self, members: frozenset[int], now: float) -> list[PeerFencing]:
        """The fencings whose executor left or whose time is up."""
        return [f for f in self.pending if f.executor not in members or now >= f.deadline]

    def next_deadline(self) -> float | None:
        return min((f.deadline for f in self.pending), default=None)
