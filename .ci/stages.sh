#!/usr/bin/env bash
# The stages of `make test`, in order, stopping at the first failure, with a
# timing table at the end.  Run through make (it sets PATH to .venv/bin and the
# collection path); `STAGES="units sim" make test` runs a subset.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
jobs=$(nproc 2>/dev/null || echo 2)
all="ruff yamllint ansible-lint units awx simulator conformance sanity integration reliability molecule bench-smoke"
stages=${STAGES:-$all}
declare -a done_names=() done_secs=()
status=0

stage_ruff() { ruff check . && ruff format --check --diff .; }
stage_yamllint() { yamllint -s .; }
stage_ansible-lint() { ansible-lint --offline -q; }
stage_units() { python -m pytest -q -n "$jobs" tests/unit; }
stage_awx() { python -m pytest -q -p no:cacheprovider tests/ee; }
stage_simulator() { python -m pytest -q -n "$jobs" tests/sim/tests; }
# FreeBSD's own tests (tests/conformance/freebsd) on simulated hosts; prints "conformance: N passed, ..."
stage_conformance() { python tests/conformance/run.py -j "$jobs"; }
stage_sanity() { .ci/sanity.sh; }
stage_integration() { python tests/integration/run.py -j "$jobs"; }
stage_reliability() { python -m pytest -q -n "$jobs" tests/reliability; }
stage_molecule() { (cd "$repo" && molecule test -s default); }
# bench/jexec.py --smoke: one jail over SSH through the three connections, ~15 s on a quiet machine
stage_bench-smoke() { python bench/run.py --smoke && python bench/jexec.py --smoke; }

report() {
    echo
    echo "stage timings:"
    local total=0
    for i in "${!done_names[@]}"; do
        printf '  %-14s %6ss\n' "${done_names[$i]}" "${done_secs[$i]}"
        total=$((total + done_secs[i]))
    done
    printf '  %-14s %6ss\n' total "$total"
}

for s in $stages; do
    if [ "$s" = bench-smoke ] && [ ! -f bench/run.py ]; then
        continue
    fi
    echo "==> $s"
    start=$(date +%s)
    "stage_$s"
    rc=$?
    done_names+=("$s")
    done_secs+=($(( $(date +%s) - start )))
    if [ $rc -ne 0 ]; then
        echo "==> $s FAILED (exit $rc)"
        status=$rc
        break
    fi
done
report
exit $status
