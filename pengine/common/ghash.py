"""Iteration order of a GLib string-keyed hash table (GHashTable).

Where Pacemaker prints the contents of a hash table (``crm_simulate -U``
shows utilization tables with ``g_hash_table_foreach``) or takes the first
of equals from one (the most free node of a resource's allowed nodes), the
order is the table's bucket order, which follows from GLib's open
addressing: the hash of each key, bucket ``hash * 11 % mod`` with quadratic
probing, and a rehash when the table fills up.  ``iteration_order`` replays
the insertions (tables here never lose keys) and returns the keys in the
order ``g_hash_table_foreach`` visits them.

The hash is Pacemaker's own, not GLib's ``g_str_hash``: its string-keyed
tables (``pcmk__strkey_table``: allowed nodes, utilization, ...) hash with
``pcmk__str_hash`` (``h * 31 + c`` from 0) so that their order does not
change with GLib.
"""

from __future__ import annotations

_MIN_SHIFT = 3
_PRIME_MOD = (1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749,
              65521, 131071, 262139, 524287, 1048573, 2097143, 4194301, 8388593, 16777213,
              33554393, 67108859, 134217689, 268435399, 536870909, 1073741789, 2147483647)
_MASK32 = 0xFFFFFFFF


def str_hash(key: str) -> int:
    """g_str_hash: djb2 over the bytes as signed chars, in 32 bits."""
    h = 5381
    for byte in key.encode("utf-8"):
        signed = byte - 256 if byte > 127 else byte
        h = ((h << 5) + h + signed) & _MASK32
    return h


def pcmk_str_hash(key: str) -> int:
    """pcmk__str_hash (strings.c): ``h = (h << 5) - h + c`` over signed chars, from 0."""
    h = 0
    for byte in key.encode("utf-8"):
        signed = byte - 256 if byte > 127 else byte
        h = ((h << 5) - h + signed) & _MASK32
    return h


class _Table:
    def __init__(self, hash_function=pcmk_str_hash):
        self.hash_function = hash_function
        self._set_shift(_MIN_SHIFT)
        self.hashes = [0] * self.size
        self.keys: list = [None] * self.size
        self.nnodes = 0
        self.noccupied = 0

    def _set_shift(self, shift: int) -> None:
        self.size = 1 << shift
        self.mod = _PRIME_MOD[shift]
        self.mask = self.size - 1

    def _index(self, hash_value: int) -> int:
        return ((hash_value * 11) & _MASK32) % self.mod

    def _lookup(self, key: str, hash_value: int) -> int:
        index = self._index(hash_value)
        step = 0
        while self.hashes[index] != 0:
            if self.hashes[index] == hash_value and self.keys[index] == key:
                return index
            step += 1
            index = (index + step) & self.mask
        return index

    def insert(self, key: str) -> None:
        hash_value = self.hash_function(key)
        if hash_value < 2:
            hash_value = 2
        index = self._lookup(key, hash_value)
        if self.hashes[index] >= 2:
            return  # already there: replacing keeps its bucket
        self.hashes[index] = hash_value
        self.keys[index] = key
        self.nnodes += 1
        self.noccupied += 1
        self._maybe_resize()

    def _maybe_resize(self) -> None:
        if (self.size > self.nnodes * 4 and self.size > 1 << _MIN_SHIFT) \
                or self.size <= self.noccupied + self.noccupied // 16:
            self._resize()

    def _resize(self) -> None:
        old = [(h, k) for h, k in zip(self.hashes, self.keys)]
        old_size = self.size
        target = int(self.nnodes * 1.333)
        shift = 0
        while target:
            shift += 1
            target >>= 1
        self._set_shift(max(shift, _MIN_SHIFT))
        size = max(self.size, old_size)
        hashes = [h if h >= 2 else 0 for h, _ in old] + [0] * (size - old_size)
        keys = [k for _, k in old] + [None] * (size - old_size)
        moved = [False] * size
        # GLib rehashes in place, evicting entries as it goes
        for i in range(old_size):
            if hashes[i] < 2 or moved[i]:
                continue
            node_hash, node_key = hashes[i], keys[i]
            hashes[i], keys[i] = 0, None
            while True:
                index = self._index(node_hash)
                step = 0
                while moved[index]:
                    step += 1
                    index = (index + step) & self.mask
                moved[index] = True
                replaced_hash, replaced_key = hashes[index], keys[index]
                hashes[index], keys[index] = node_hash, node_key
                if replaced_hash < 2:
                    break
                node_hash, node_key = replaced_hash, replaced_key
        self.hashes = hashes[:self.size]
        self.keys = keys[:self.size]
        self.noccupied = self.nnodes

    def order(self) -> list:
        return [k for h, k in zip(self.hashes, self.keys) if h >= 2]


def iteration_order(keys, hash_function=pcmk_str_hash) -> list:
    """The keys, inserted in the given order, as g_hash_table_foreach visits
    them (a ``pcmk__strkey_table`` unless another ``hash_function`` is given)."""
    table = _Table(hash_function)
    for key in keys:
        table.insert(key)
    return table.order()
