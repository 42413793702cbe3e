# Benchmark helper for bsd.jails: counts what a playbook run executed (not part of the collection).
# Enabled by bench/run.py through ANSIBLE_CALLBACK_PLUGINS/ANSIBLE_CALLBACKS_ENABLED; writes its
# counts as JSON to the file named by BENCH_COUNTS_FILE when the play recap is printed.

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_counter
type: aggregate
short_description: Count tasks, task runs (loop items included) and changes for bench/run.py
description:
  - Writes the play recap numbers of every host plus the number of task runs, each loop item
    counted once, to the JSON file named by the E(BENCH_COUNTS_FILE) environment variable.
requirements:
  - enabled with O(ansible.builtin.config#ansible-config:CALLBACKS_ENABLED)
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_counter"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.runs = {}  # host -> task runs (a loop task counts its items, skipped ones excluded)

    def _count(self, result, skipped=False):
        host = result._host.get_name()
        res = result._result
        if "results" in res and isinstance(res["results"], list):
            n = sum(1 for r in res["results"] if not (isinstance(r, dict) and r.get("skipped")))
        else:
            n = 0 if skipped else 1
        self.runs[host] = self.runs.get(host, 0) + n

    def v2_runner_on_ok(self, result):
        self._count(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result)

    def v2_runner_on_skipped(self, result):
        self._count(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._count(result)

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("BENCH_COUNTS_FILE")
        if not path:
            return
        hosts = {}
        for host in sorted(stats.processed):
            s = stats.summarize(host)
            tasks = s["ok"] + s["failures"] + s["skipped"] + s["unreachable"]
            hosts[host] = dict(s, tasks=tasks, task_runs=self.runs.get(host, 0))
        with open(path, "w", encoding="utf-8") as f:
            json.dump(hosts, f, indent=1, sort_keys=True)
