"""The working state of one run (Pacemaker's lib/pengine): the types (`cluster`), unpacking the
CIB's configuration and status into them (`unpack`, `unpack_resources`, `unpack_history`),
operation history and fail counts, operation configuration, and parameter digests."""
