"""Fake agents and status probes for the executor's tests.

The fake agents are small shell scripts written into a temporary OCF_ROOT
(and init-script, fence-agent and systemctl directories): they keep their
state in files the tests can remove or create to inject failures.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from pengine.cib import model as m

# A Dummy-like agent: "running" while its state file exists.  A file
# "$state.fail-stop" makes stop fail; "$state.fail-start" makes start fail.
DUMMY = r"""#!/bin/sh
state="${OCF_RESKEY_state:-${OCF_ROOT}/${OCF_RESOURCE_INSTANCE}.state}"
case "$1" in
start)
    if [ -f "$state.fail-start" ]; then
        echo "ocf-exit-reason:start refused by $state.fail-start" >&2
        exit 1
    fi
    touch "$state"; exit 0 ;;
stop)
    if [ -f "$state.fail-stop" ]; then
        echo "ocf-exit-reason:stop refused" >&2
        exit 1
    fi
    rm -f "$state"; exit 0 ;;
monitor|status)
    [ -f "$state" ] && exit 0
    exit 7 ;;
validate-all) exit 0 ;;
meta-data)
    cat <<'END'
<?xml version="1.0"?>
<resource-agent name="Dummy" version="1.0">
<version>1.1</version>
<parameters>
<parameter name="state" required="1" unique="1">
<content type="string" default="/run/dummy.state"/>
</parameter>
<parameter name="fake"><content type="string" default="dummy"/></parameter>
</parameters>
<actions>
<action name="start" timeout="20s"/>
<action name="stop" timeout="20s"/>
<action name="monitor" timeout="20s" interval="10s" depth="0"/>
<action name="meta-data" timeout="5s"/>
</actions>
</resource-agent>
END
    exit 0 ;;
*) exit 3 ;;
esac
"""

FAILS_START = r"""#!/bin/sh
case "$1" in
start) echo "ocf-exit-reason:this agent never starts" >&2; exit 1 ;;
stop) exit 0 ;;
monitor) exit 7 ;;
meta-data) echo '<resource-agent name="FailStart"/>'; exit 0 ;;
*) exit 3 ;;
esac
"""

HANGS_START = r"""#!/bin/sh
case "$1" in
start) sleep 60; exit 0 ;;
stop) exit 0 ;;
monitor) exit 7 ;;
*) exit 3 ;;
esac
"""

CRASHES = r"""#!/bin/sh
case "$1" in
start) kill -9 $$ ;;
stop) exit 0 ;;
monitor) exit 7 ;;
*) exit 3 ;;
esac
"""

# Writes its environment and arguments where OCF_RESKEY_out says.
ENV_DUMP = r"""#!/bin/sh
env | grep -E '^(OCF_|HA_)' | sort > "$OCF_RESKEY_out"
echo "ARG=$1" >> "$OCF_RESKEY_out"
exit 0
"""

LSB_SCRIPT = r"""#!/bin/sh
state="$(dirname "$0")/.state-$(basename "$0")"
case "$1" in
start) touch "$state"; exit 0 ;;
stop) rm -f "$state"; exit 0 ;;
status) [ -f "$state" ] && exit 0; exit 3 ;;
*) exit 3 ;;
esac
"""

# A fence agent: appends what it read on stdin to $0.log; fails for "badnode".
FENCE_AGENT = r"""#!/bin/sh
log="$0.log"
args=""
while IFS= read -r line; do
    args="$args$line;"
done
echo "$args" >> "$log"
case "$args" in
*action=list*) echo "node1"; echo "node2,alias2"; exit 0 ;;
*nodename=badnode*) exit 1 ;;
esac
exit 0
"""

# A systemctl stand-in: units live as files in $FAKE_SYSTEMD_DIR.
SYSTEMCTL = r"""#!/bin/sh
dir="$FAKE_SYSTEMD_DIR"
cmd="$1"; shift
[ "$1" = "--" ] && shift
case "$cmd" in
show)
    while [ "${1#--property=}" != "$1" ]; do shift; done
    [ "$1" = "--" ] && shift
    unit="$1"
    if [ ! -f "$dir/$unit" ]; then echo "LoadState=not-found"; echo "ActiveState=inactive"; exit 0; fi
    echo "LoadState=loaded"
    if [ -f "$dir/$unit.active" ]; then echo "ActiveState=active"; else echo "ActiveState=inactive"; fi
    exit 0 ;;
start) [ -f "$dir/$1.broken" ] && { echo "Job for $1 failed." >&2; exit 1; }
       touch "$dir/$1.active"; exit 0 ;;
stop) rm -f "$dir/$1.active"; exit 0 ;;
esac
exit 1
"""


def write_script(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def fake_ocf_root(base: Path) -> Path:
    root = base / "ocf"
    agents = root / "resource.d" / "test"
    for name, text in (("Dummy", DUMMY), ("FailStart", FAILS_START), ("Hang", HANGS_START),
                       ("Crash", CRASHES), ("EnvDump", ENV_DUMP)):
        write_script(agents / name, text)
    return root


def load_state(state_dir: Path) -> m.Cib | None:
    from pengine.cib.load import load_cib
    path = state_dir / "cib.xml"
    if not path.exists():
        return None
    return load_cib([str(path)])


def resource_view(cib: m.Cib | None, rsc_id: str, node: str = "n1") -> dict:
    """What the scheduler would make of a resource now: where it runs, its
    fail count on ``node``, whether it is blocked, its failed operations."""
    from pengine.common.dates import from_epoch
    from pengine.status.failcounts import get_failcount
    from pengine.status.unpack import unpack
    if cib is None:                 # no status written yet
        return {"running": None, "failcount": None, "blocked": None, "managed": None,
                "failed_ops": [], "pending": None}
    sch = unpack(cib, from_epoch(int(time.time())))
    rsc = sch.all_resources.get(rsc_id)
    target = next((n for n in sch.nodes if n.name == node), None)
    failcount = get_failcount(sch, target, rsc, effective=False) if rsc and target else 0
    return {
        "running": [n.name for n in rsc.running_on] if rsc else [],
        "failcount": failcount,
        "blocked": bool(rsc and rsc.blocked),
        "managed": bool(rsc and rsc.managed),
        "failed_ops": [key for _r, key, _n, _x in sch.failed_ops],
        "pending": rsc.pending_action if rsc else None,   # an action in flight
    }


def history(cib: m.Cib, rsc_id: str, node: str = "n1") -> dict[str, m.LrmRscOp]:
    for state in cib.status.node_states:
        if state.uname == node:
            for entry in state.lrm_resources:
                if entry.id == rsc_id:
                    return {op.id: op for op in entry.ops}
    return {}


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1, what: str = "condition"):
    """Poll ``predicate`` until it returns a true value; that value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except (OSError, ValueError) as error:  # a file being replaced, say
            last = error
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def crm_config(resources: str, options: str = "", node: str = "n1") -> str:
    return (f"node 1: {node}\n{resources}\n"
            "property cib-bootstrap-options: stonith-enabled=false"
            + (f" {options}" if options else "") + "\n")


def env_without_ocf() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("OCF_")}
