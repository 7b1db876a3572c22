#!/bin/sh
# pengine-gate.sh BASE: check the cluster configuration, then diff every
# configuration file changed since git revision BASE and fail on disruptive
# changes.  Used by the CI jobs and the pre-commit hook in this directory.
#
#   PENGINE_CONFIG_DIR  where the configuration lives (default: cluster)
#   PENGINE_FAIL_ON     change kinds that fail (default: restart,move,stop;
#                       empty: report only)
#   PENGINE_STATUS      a CIB with a status section (cibadmin -Q) to diff on
#   PENGINE_CHECK_ARGS  extra arguments for pengine check (e.g. --strict)
#   PENGINE_STAGED=1    compare the staged versions (pre-commit) instead of
#                       the working tree
set -u
base=${1:?usage: pengine-gate.sh BASE-REVISION}
dir=${PENGINE_CONFIG_DIR:-cluster}
fail_on=${PENGINE_FAIL_ON-restart,move,stop}
status=0

# shellcheck disable=SC2086  # PENGINE_CHECK_ARGS is a list of words
pengine check "$dir" ${PENGINE_CHECK_ARGS:-} || status=1

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
if [ "${PENGINE_STAGED:-0}" = 1 ]; then
    what="staged"
    changed=$(git diff --cached --name-only --diff-filter=M "$base" -- "$dir")
else
    what="working tree"
    changed=$(git diff --name-only --diff-filter=M "$base" -- "$dir")
fi
for file in $changed; do
    case $file in *.crm|*.xml) ;; *) continue ;; esac
    old="$tmp/old.${file##*.}"
    new="$tmp/new.${file##*.}"
    git show "$base:$file" > "$old" 2>/dev/null || continue  # new file: nothing to diff
    if [ "${PENGINE_STAGED:-0}" = 1 ]; then
        git show ":$file" > "$new" || exit 2
    else
        cp "$file" "$new" || exit 2
    fi
    echo "=== pengine diff $file ($base -> $what)"
    set -- "$old" "$new"
    [ -n "$fail_on" ] && set -- "$@" --fail-on "$fail_on"
    [ -n "${PENGINE_STATUS:-}" ] && set -- "$@" -x "$PENGINE_STATUS"
    pengine diff "$@" || status=1
done
exit $status
