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
    # grep reads the whole list: grep -q would quit at the first match, and under pipefail simhost's broken pipe
    # would read as "no such host" on a re-run.
    if ! "$simhost" list | grep "^$h	" >/dev/null; then
        "$simhost" create "$h" --ip "${ips[$h]}" >/dev/null
        echo "created simulated FreeBSD host $h (${ips[$h]})"
    fi
done
# The connection part of the inventory comes from the simulator (over SSH, as real hosts are reached, so that
# the jails can be reached with bsd.jails.jexec); everything else from inventories/example.  It goes first, which
# only the jails source's `live: true` (jls asked while inventories/example/jails.yml is read) would need.
"$simhost" inventory --ssh web1 db1 > "$conn"
# A simulated host extracts a world in about a second: poll the async steps every second.
sim_vars=(-e world_async_poll=1)
export ANSIBLE_STDOUT_CALLBACK=${ANSIBLE_STDOUT_CALLBACK:-default}
echo "==> ansible-playbook bsd.jails.site"
ansible-playbook -i "$conn" -i "$inv_dir" "${sim_vars[@]}" playbooks/site.yml
echo "==> ansible-playbook bsd.jails.jails_configure (inside the jails, through bsd.jails.jexec)"
ansible-playbook -i "$conn" -i "$inv_dir" playbooks/jails_configure.yml
echo "==> ansible-playbook bsd.jails.audit"
ansible-playbook -i "$conn" -i "$inv_dir" playbooks/audit.yml
echo
echo "==> summary"
for h in web1 db1; do
    echo "$h:"
    echo "  jails running:"
    "$simhost" run "$h" -- jls -N | sed 's/^/    /'
    echo "  listening sockets (sockstat -46l):"
    "$simhost" run "$h" -- sockstat -46l | sed 's/^/    /'
    # What each jail itself listens on (sockstat inside the jail), and the host's own sockets on :80.
    for j in $("$simhost" run "$h" -- jls name); do
        echo "  listening in jail $j (jexec $j sockstat -46l):"
        "$simhost" run "$h" -- jexec "$j" sockstat -46lq | sed 's/^/    /'
    done
    # A VNET jail's address lives in its own network stack: shown from inside, absent from the host's ifconfig.
    for j in $("$simhost" run "$h" -- jls vnet name | awk '$1 == "new" {print $2}'); do
        echo "  VNET jail $j, its own interfaces (jexec $j ifconfig):"
        "$simhost" run "$h" -- jexec "$j" ifconfig | sed 's/^/    /'
        echo "  its default route (jexec $j route -n get default): $("$simhost" run "$h" -- jexec "$j" route -n get default | awk '/gateway:/ {print $2}')"
    done
    echo "  host processes on :80 (sockstat -46l -j 0 -p 80): $("$simhost" run "$h" -- sockstat -46lq -j 0 -p 80 | wc -l)"
done
echo "web1's pf anchor bsd.jails (pfctl -a bsd.jails -s nat):"
"$simhost" run web1 -- pfctl -a bsd.jails -s nat | sed 's/^/    /'
echo "a connection from outside to web1 ${ips[web1]}:8080 (simhost connect):"
"$simhost" connect web1 "${ips[web1]}" 8080 | python3 -c 'import json, sys; r = json.load(sys.stdin); print("    rdr to %s, answered by %s in jail %s" % (r["translated"], (r["reached"] or {}).get("command"), (r["reached"] or {}).get("jail")))'
echo "app1 connecting out to 198.51.100.7:443 (simhost connect --from-jail app1):"
"$simhost" connect web1 198.51.100.7 443 --from-jail app1 | python3 -c 'import json, sys; r = json.load(sys.stdin); print("    leaves %s as %s (reached: %s)" % (r["interface"], r["seen_as"], r["reached"]))'
echo "demo finished in $(( $(date +%s) - start ))s"
