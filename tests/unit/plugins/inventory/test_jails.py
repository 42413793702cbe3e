"""bsd.jails.jails: declared and live jails of jail hosts in a real InventoryManager; jls answered by a declared
command that prints jls(8) -n -q output; the cache."""

import pytest
from ansible.errors import AnsibleError
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
from ansible.template import Templar
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager
from ansible_collections.bsd.jails.plugins.inventory import jails

HOSTS = """\
all:
  children:
    jail_hosts:
      hosts:
        host1:
          ansible_host: 192.0.2.10
          ansible_port: 2222
          ansible_user: admin
          ansible_ssh_common_args: -o StrictHostKeyChecking=no
          ansible_jexec_host_become: sudo
          jails_list:
            - {name: www1}
            - {name: www2, state: stopped}
            - {name: old, state: absent}
        host2:
          jails_list: [{name: db1}]
    other:
      hosts:
        plain: {}
"""


# The jail's SSH variables read in test_declared_only, in this order.
CONNECTION = (
    "ansible_host",
    "ansible_port",
    "ansible_user",
    "ansible_ssh_common_args",
    "ansible_jexec_host_become",
    "ansible_ssh_private_key_file",
)


def _inventory(tmp_path, config, jls_by_host=None):
    (tmp_path / "hosts.yml").write_text(HOSTS)
    for host, text in (jls_by_host or {}).items():
        (tmp_path / f"jls-{host}.txt").write_text(text)
    (tmp_path / "jails.yml").write_text(config)
    return InventoryManager(loader=DataLoader(), sources=[str(tmp_path / "hosts.yml"), str(tmp_path / "jails.yml")])


def _at_task_time(inv, name, *keys):
    """The values of a host's variables as a task sees them: ansible-core's VariableManager and Templar."""
    loader = DataLoader()
    manager = VariableManager(loader=loader, inventory=inv)
    variables = manager.get_vars(host=inv.get_host(name))
    variables["hostvars"] = HostVars(inventory=inv, variable_manager=manager, loader=loader)
    templar = Templar(loader=loader, variables=variables)
    return tuple(templar.template(variables[k]) for k in keys)


def _parse_directly(tmp_path, config, jls_by_host=None):
    """The plugin's own parse() on the hosts' inventory: its errors raised, not turned into warnings."""
    inv = _inventory(tmp_path, "plugin: bsd.jails.jails\njail_hosts: []\njail_host_groups: [other]\n", jls_by_host)
    (tmp_path / "jails.yml").write_text(config)
    loader = DataLoader()
    plugin = inventory_loader.get("bsd.jails.jails")
    plugin.parse(inv._inventory, loader, str(tmp_path / "jails.yml"), cache=False)
    return inv


def _live_config(tmp_path, extra=""):
    return (
        "plugin: bsd.jails.jails\nlive: true\n"
        f"live_command: [sh, -c, 'cat {tmp_path}/jls-$0.txt', '{{{{ inventory_hostname }}}}']\n" + extra
    )


def test_declared_only(tmp_path):
    inv = _inventory(tmp_path, "plugin: bsd.jails.jails\n")
    assert sorted(h.name for h in inv.groups["jails"].get_hosts()) == ["db1", "www1", "www2"]
    assert sorted(h.name for h in inv.groups["jails_on_host1"].get_hosts()) == ["www1", "www2"]
    assert sorted(h.name for h in inv.groups["jails_declared"].get_hosts()) == ["db1", "www1", "www2"]
    www1 = inv.get_host("www1").get_vars()
    assert www1["ansible_connection"] == "bsd.jails.jexec"
    assert www1["ansible_jexec_jail"] == "www1"
    assert www1["ansible_python_interpreter"] == "/usr/local/bin/python3"
    assert (www1["jail_host"], www1["jail_state"]) == ("host1", "declared")
    # the inventory holds templates (what ansible-inventory --list prints); a task sees the jail host's values
    assert "hostvars[jail_host]" in www1["ansible_host"]
    assert _at_task_time(inv, "www1", *CONNECTION) == (
        "192.0.2.10", 2222, "admin", "-o StrictHostKeyChecking=no", "sudo", None,
    )  # fmt: skip
    assert _at_task_time(inv, "db1", *CONNECTION) == ("host2", None, None, None, None, None)
    assert inv.get_host("old") is None


def test_jails_source_before_the_connection_source(tmp_path):
    """The jail hosts' connection comes from a source read after the jails' source, and still reaches the jails."""
    (tmp_path / "jail_hosts.yml").write_text("all:\n  hosts:\n    host1:\n      jails_list: [{name: www1}]\n")
    (tmp_path / "jails.yml").write_text("plugin: bsd.jails.jails\n")
    (tmp_path / "connection.yml").write_text(
        "all:\n  hosts:\n    host1:\n      ansible_host: 198.51.100.7\n      ansible_user: root\n"
        "      ansible_ssh_private_key_file: /keys/id\n      ansible_pipelining: true\n"
    )
    sources = [str(tmp_path / f) for f in ("jail_hosts.yml", "jails.yml", "connection.yml")]
    inv = InventoryManager(loader=DataLoader(), sources=sources)
    assert _at_task_time(inv, "www1", "ansible_host", "ansible_user", "ansible_ssh_private_key_file") == (
        "198.51.100.7", "root", "/keys/id",
    )  # fmt: skip
    assert _at_task_time(inv, "www1", "ansible_pipelining", "ansible_port", "jail_host") == (True, None, "host1")


def test_live_jails_and_states(tmp_path):
    jls = {
        "host1": "jid=3 name=www1 path=/usr/jails/www1 host.hostname=www1.example.org\n"
        'jid=7 name=adhoc path="/usr/jails/ad hoc" host.hostname=adhoc\n',
        "host2": "",
    }
    inv = _inventory(tmp_path, _live_config(tmp_path, "keyed_groups: [{key: jail_state, prefix: state}]\n"), jls)
    assert sorted(h.name for h in inv.groups["jails_running"].get_hosts()) == ["adhoc", "www1"]
    assert sorted(h.name for h in inv.groups["jails_stopped"].get_hosts()) == ["db1", "www2"]
    assert sorted(h.name for h in inv.groups["state_running"].get_hosts()) == ["adhoc", "www1"]
    adhoc = inv.get_host("adhoc").get_vars()
    assert (adhoc["jail_jid"], adhoc["jail_path"], adhoc["jail_host"]) == (7, "/usr/jails/ad hoc", "host1")
    assert "jail_jid" not in inv.get_host("www2").get_vars()


def test_a_host_that_cannot_be_asked_fails_naming_it(tmp_path):
    with pytest.raises(AnsibleError, match=r"jls on jail host host2 failed \(rc=1, sh -c 'cat "):
        _parse_directly(tmp_path, _live_config(tmp_path), {"host1": ""})


def test_name_clash_and_host_name_template(tmp_path):
    config = "plugin: bsd.jails.jails\njail_hosts: [host1]\nhost_name: '{{ jail_host }}-{{ jail_name }}'\n"
    inv = _inventory(tmp_path, config)
    assert sorted(h.name for h in inv.groups["jails"].get_hosts()) == ["host1-www1", "host1-www2"]
    with pytest.raises(AnsibleError, match="already in the inventory"):
        _parse_directly(tmp_path, "plugin: bsd.jails.jails\njail_hosts: [host1]\nhost_name: plain\n")
    with pytest.raises(AnsibleError, match="would both be the inventory host 'same'"):
        _parse_directly(tmp_path, "plugin: bsd.jails.jails\njail_hosts: [host1]\nhost_name: same\n")


def test_cache(tmp_path):
    cache = f"cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: {tmp_path}/cache\n"
    inv = _inventory(tmp_path, _live_config(tmp_path, cache), {"host1": "jid=3 name=www1 path=/j\n", "host2": ""})
    assert inv.get_host("www1").get_vars()["jail_state"] == "running"
    (tmp_path / "jls-host1.txt").write_text("")
    inv = InventoryManager(loader=DataLoader(), sources=[str(tmp_path / "hosts.yml"), str(tmp_path / "jails.yml")])
    assert inv.get_host("www1").get_vars()["jail_state"] == "running"  # from the cache


def test_ssh_argv_from_host_variables():
    hv = {"ansible_host": "192.0.2.10", "ansible_port": 22022, "ansible_user": "root",
          "ansible_ssh_private_key_file": "/k", "ansible_ssh_common_args": "-o A=1 -o 'B=two words'"}  # fmt: skip
    assert jails.ssh_argv("h", hv) == [
        "ssh", "-o", "BatchMode=yes", "-p", "22022", "-l", "root", "-i", "/k",
        "-o", "A=1", "-o", "B=two words", "--", "192.0.2.10",
    ]  # fmt: skip
    assert jails.ssh_argv("h", {})[-2:] == ["--", "h"]


def test_declared_jails_checks_its_input():
    assert jails.declared_jails([{"name": "a"}, {"name": "b", "state": "absent"}], "x") == ["a"]
    with pytest.raises(AnsibleError, match=r"x: jails_list\[0\] has no name"):
        jails.declared_jails([{"path": "/j"}], "x")
    with pytest.raises(AnsibleError, match="x: jails_list is not a list"):
        jails.declared_jails({"name": "a"}, "x")
