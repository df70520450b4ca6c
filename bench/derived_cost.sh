#!/bin/bash
# What reading values from report.txt costs: the index build, a query from the index and
# a scan, of two oigcli installs in turn (each twice, each with an empty cache).
#
#   git clone . /tmp/old && git -C /tmp/old checkout df47927
#   python3 -m venv /tmp/venv_old && /tmp/venv_old/bin/pip install -e /tmp/old
#   python3 -m venv /tmp/venv_new && /tmp/venv_new/bin/pip install -e .
#   bench/derived_cost.sh /tmp/venv_old/bin/oigcli /tmp/venv_new/bin/oigcli bench/data/tree-10000
#
# Results: docs/derived.md (Cost).
set -euo pipefail
old=$1 new=$2 tree=$(realpath "$3")
for run in 1 2; do
  for name in old new; do
    program=${!name}
    cache=$(mktemp -d)
    export XDG_CACHE_HOME=$cache
    /usr/bin/time -f "$name run$run build %e s %M KB" "$program" index "$tree" 2>&1 | tail -1
    /usr/bin/time -f "$name run$run list from the index %e s %M KB" \
      "$program" list --data "$tree" --limit 3 2>&1 >/dev/null | tail -1
    /usr/bin/time -f "$name run$run scan %e s %M KB" \
      "$program" list --data "$tree" --limit 3 --no-cache 2>&1 >/dev/null | tail -1
    rm -rf "$cache"
  done
done
# the peers on the same tree, as the reference: every text searched, every record parsed
/usr/bin/time -f "rg every text %e s %M KB" rg -l -i "we made" --glob report.txt "$tree" 2>&1 >/dev/null | tail -1
/usr/bin/time -f "jq every record %e s %M KB" \
  sh -c 'find "$1" -name report.json -print0 | xargs -0 cat | jq -c .report_id > /dev/null' _ "$tree" 2>&1 | tail -1
