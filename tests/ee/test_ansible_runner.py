"""The example playbook run through ansible-runner, the engine AWX and AAP run jobs with.

The example fleet's ``web1`` is converged with ``playbooks/site.yml`` twice on two fresh simulated
hosts: once through ``ansible_runner.run`` (as an AWX/AAP job would run it, with the collection
on ``ANSIBLE_COLLECTIONS_PATH`` as an execution environment has it) and once through
``ansible-playbook``. The runner's artifacts must say ``successful`` (status and rc), carry the
play's events, and count the same changed tasks as ``ansible-playbook`` does; a second runner job
on the converged host must report nothing changed.
"""

import os
import re
import shutil
import subprocess
import sys

import ansible_runner
import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIMHOST = os.path.join(REPO, "tests", "sim", "simhost")
EXAMPLE = os.path.join(REPO, "inventories", "example")
HOST = "web1"
HOST_IP = "192.0.2.11"  # the address playbooks/demo.sh gives web1
BOXES = {"runner": "ee-runner-web1", "playbook": "ee-playbook-web1"}


def _env():
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"),
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_NOCOLOR="1",
        PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
    )
    return env


def _inventory_dir(tmp_path, box):
    """The example inventory (hosts, group_vars, host_vars) plus web1's connection to ``box``."""
    inv = tmp_path / "inventory"
    inv.mkdir()
    shutil.copy(os.path.join(EXAMPLE, "hosts.yml"), inv / "hosts.yml")
    for d in ("group_vars", "host_vars"):
        shutil.copytree(os.path.join(EXAMPLE, d), inv / d)
    out = subprocess.run([sys.executable, SIMHOST, "inventory", box], capture_output=True, text=True, check=True)
    conn = yaml.safe_load(out.stdout)["all"]["hosts"][box]
    (inv / "connection.yml").write_text(yaml.safe_dump({"all": {"hosts": {HOST: conn}}}))
    return inv


@pytest.fixture(scope="module")
def boxes():
    for box in BOXES.values():
        subprocess.run([sys.executable, SIMHOST, "destroy", box], capture_output=True, check=False)
        subprocess.run([sys.executable, SIMHOST, "create", box, "--ip", HOST_IP], capture_output=True, check=True)
    yield BOXES
    subprocess.run([sys.executable, SIMHOST, "destroy", *BOXES.values()], capture_output=True, check=False)


def _runner_job(private_data_dir):
    return ansible_runner.run(
        private_data_dir=str(private_data_dir),
        project_dir=os.path.join(REPO, "playbooks"),
        playbook="site.yml",
        limit=HOST,
        extravars={"world_async_poll": 1},
        envvars={k: v for k, v in _env().items() if k.startswith("ANSIBLE_")},
        quiet=True,
    )


def _changed_in_recap(stdout):
    m = re.search(r"^%s\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)" % HOST, stdout, re.M)
    assert m, stdout[-3000:]
    _ok, changed, unreachable, failed = (int(x) for x in m.groups())
    assert (unreachable, failed) == (0, 0), stdout[-3000:]
    return changed


def test_site_through_ansible_runner_matches_ansible_playbook(boxes, tmp_path):
    job_dir = tmp_path / "job"
    job_dir.mkdir()
    _inventory_dir(job_dir, boxes["runner"])
    job = _runner_job(job_dir)
    assert job.status == "successful" and job.rc == 0, job.stdout.read()[-3000:]
    # "verbose" events are lines printed outside a play (a Python warning at ansible's start-up, say);
    # the play's own events start with playbook_on_start and end with playbook_on_stats.
    events = [e.get("event") for e in job.events if e.get("event") != "verbose"]
    assert events[0] == "playbook_on_start" and events[-1] == "playbook_on_stats", events[:3] + events[-3:]
    failed = [e for e in job.events if e.get("event") == "runner_on_failed"]
    assert all(e["event_data"].get("ignore_errors") for e in failed)
    assert not job.stats["failures"] and not job.stats["dark"]
    runner_changed = job.stats["changed"].get(HOST, 0)
    assert runner_changed > 0  # a fresh host: the world, the host's daemons and the jails all change

    pb_dir = tmp_path / "pb"
    pb_dir.mkdir()
    inv = _inventory_dir(pb_dir, boxes["playbook"])
    playbook = os.path.join(REPO, "playbooks", "site.yml")
    argv = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inv), "-l", HOST]
    argv += ["-e", "world_async_poll=1", playbook]
    cp = subprocess.run(argv, capture_output=True, text=True, env=_env(), cwd=REPO, check=False)
    assert cp.returncode == 0, cp.stdout[-3000:] + cp.stderr[-2000:]
    assert _changed_in_recap(cp.stdout) == runner_changed

    # the same job again on the converged host: AWX would show nothing changed
    again = tmp_path / "again"
    again.mkdir()
    _inventory_dir(again, boxes["runner"])
    job2 = _runner_job(again)
    assert job2.status == "successful" and job2.rc == 0, job2.stdout.read()[-3000:]
    assert job2.stats["changed"].get(HOST, 0) == 0
