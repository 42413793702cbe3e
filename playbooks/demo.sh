#!/usr/bin/env bash
# make demo: two simulated FreeBSD hosts converged from the example inventory,
# then audited, then a short summary.  Re-running it converges the same hosts
# again (idempotent); `DEMO_FRESH=1 make demo` starts from new hosts.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
simhost=tests/sim/simhost
inv_dir=inventories/example
conn=$(mktemp --suffix=.yml)
trap 'rm -f "$conn"' EXIT
declare -A ips=([web1]=192.0.2.11 [db1]=192.0.2.12)
start=$(date +%s)
for h in web1 db1; do
    if [ "${DEMO_FRESH:-0}" = 1 ]; then "$simhost" destroy "$h" >/dev/null 2>&1 || true; fi
    if ! "$simhost" list | grep -q "^$h	"; then
        "$simhost" create "$h" --ip "${ips[$h]}" >/dev/null
        echo "created simulated FreeBSD host $h (${ips[$h]})"
    fi
done
# The connection part of the inventory comes from the simulator; everything else from inventories/example.
"$simhost" inventory web1 db1 > "$conn"
# A simulated host extracts a world in about a second: poll the async steps every second.
sim_vars=(-e world_async_poll=1)
export ANSIBLE_STDOUT_CALLBACK=${ANSIBLE_STDOUT_CALLBACK:-default}
echo "==> ansible-playbook bsd.jails.site"
ansible-playbook -i "$inv_dir" -i "$conn" "${sim_vars[@]}" playbooks/site.yml
echo "==> ansible-playbook bsd.jails.audit"
ansible-playbook -i "$inv_dir" -i "$conn" playbooks/audit.yml
echo
echo "==> summary"
for h in web1 db1; do
    echo "$h:"
    echo "  jails running:"
    "$simhost" run "$h" -- jls -N | sed 's/^/    /'
    echo "  listening sockets (sockstat -46l):"
    "$simhost" run "$h" -- sockstat -46l | sed 's/^/    /'
done
echo "demo finished in $(( $(date +%s) - start ))s"
