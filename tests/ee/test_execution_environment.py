"""The execution environment definition (meta/execution-environment.yml) is checked, not just present.

* ``ansible-builder create`` (offline: no image is built) turns it into a build context whose
  requirement files are the collection's own (meta/requirements.txt, meta/bindep.txt);
* meta/requirements.txt lists exactly the non-standard-library Python packages plugins/ imports
  (scanned with ast), so a new import without its requirement fails here;
* meta/bindep.txt gives the OpenSSH client, the one program the controller side runs to reach the
  FreeBSD hosts: the modules run FreeBSD's base tools on the hosts (jail(8), jls(8), ...); on the
  controller only the jails inventory plugin runs a program, ssh (checked).
"""

import ast
import os
import re
import subprocess
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
META = os.path.join(REPO, "meta")
PLUGINS = os.path.join(REPO, "plugins")
BUILDER = os.path.join(os.path.dirname(sys.executable), "ansible-builder")
NOT_PACKAGES = {"ansible", "ansible_collections", "__future__"}


def _py_files(top):
    for d, _dirs, files in os.walk(top):
        for f in sorted(files):
            if f.endswith(".py"):
                yield os.path.join(d, f)


def _imports(path):
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def _requirement_names(path):
    names = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if line:
                names.add(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower().replace("-", "_"))
    return names


def test_definition_is_schema_3_and_names_the_collection_files():
    with open(os.path.join(META, "execution-environment.yml"), encoding="utf-8") as fh:
        ee = yaml.safe_load(fh)
    assert ee["version"] == 3
    deps = ee["dependencies"]
    assert os.path.join(META, deps["python"]) == os.path.join(META, "requirements.txt")
    assert os.path.join(META, deps["system"]) == os.path.join(META, "bindep.txt")
    assert [c["name"] for c in deps["galaxy"]["collections"]] == ["bsd.jails"]


def test_python_requirements_match_what_plugins_import():
    third_party = set()
    for path in _py_files(PLUGINS):
        for name in _imports(path):
            if name not in NOT_PACKAGES and name not in sys.stdlib_module_names:
                third_party.add(name.lower())
    assert third_party == _requirement_names(os.path.join(META, "requirements.txt"))


def test_programs_run_on_the_controller_are_ssh_only():
    """Modules run FreeBSD's tools on the hosts; on the controller only the inventory plugin runs a program.

    bsd.jails.jails reads running jails with `ssh HOST jls -n -q` (or a command the user declares), and the
    jexec connection rides on ansible.builtin.ssh: the EE needs the OpenSSH client, and nothing else.
    """
    runners = set()
    for path in _py_files(PLUGINS):
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        if re.search(r"\b(run_command|subprocess|os\.system|os\.popen)\b", text):
            runners.add(os.path.relpath(path, PLUGINS))
    on_controller = {r for r in runners if r.split(os.sep)[0] not in ("modules", "module_utils")}
    assert on_controller == {os.path.join("inventory", "jails.py")}, runners
    with open(os.path.join(PLUGINS, "inventory", "jails.py"), encoding="utf-8") as fh:
        assert '"ssh"' in fh.read()
    with open(os.path.join(META, "bindep.txt"), encoding="utf-8") as fh:
        bindep = [ln.split("#", 1)[0].split() for ln in fh if ln.split("#", 1)[0].strip()]
    assert {(w[0], " ".join(w[1:])) for w in bindep} == {
        ("openssh-client", "[platform:dpkg]"),
        ("openssh-clients", "[platform:rpm]"),
    }


def test_ansible_builder_create_makes_a_build_context(tmp_path):
    ctx = tmp_path / "context"
    proc = subprocess.run(
        [BUILDER, "create", "-f", os.path.join(META, "execution-environment.yml"), "-c", str(ctx)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    build = ctx / "_build"
    assert (ctx / "Dockerfile").is_file()
    with open(os.path.join(META, "requirements.txt"), encoding="utf-8") as fh:
        assert (build / "requirements.txt").read_text() == fh.read()
    with open(os.path.join(META, "bindep.txt"), encoding="utf-8") as fh:
        assert (build / "bindep.txt").read_text() == fh.read()
    assert yaml.safe_load((build / "requirements.yml").read_text()) == {"collections": [{"name": "bsd.jails"}]}
    assert 'ARG EE_BASE_IMAGE="quay.io/ansible/awx-ee:latest"' in (ctx / "Dockerfile").read_text()
