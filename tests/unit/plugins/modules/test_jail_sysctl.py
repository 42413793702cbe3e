# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

from ansible_collections.bsd.jails.plugins.modules import jail_sysctl
from ansible_collections.bsd.jails.tests.unit.plugins.modules._harness import Call, run_module

STOCK = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "sysctl")


def conf(tmp_path, text=None):
    path = tmp_path / "sysctl.conf"
    if text is None:
        with open(os.path.join(STOCK, "stock_sysctl.conf"), encoding="utf-8") as f:
            text = f.read()
    path.write_text(text)
    return str(path)


def slurp(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def read_e(names, out, rc=0, err=""):
    return Call(["/testbin/sysctl", "-e", *names], rc=rc, out=out, err=err)


def read_t(names, types, jail=None):
    """The ``sysctl -t -e`` call that reads the oids' types (one type for all names, or a list)."""
    if isinstance(types, str):
        types = [types] * len(names)
    out = "".join("%s=%s\n" % (n, t) for n, t in zip(names, types))
    pre = ["/testbin/sysctl"] if jail is None else ["/testbin/jexec", jail, "/sbin/sysctl"]
    return Call([*pre, "-t", "-e", *names], out=out)


def test_set_one_check_apply_again(tmp_path):
    path = conf(tmp_path)
    before = slurp(path)
    params = {"name": "security.bsd.see_other_uids", "value": 0, "sysctl_file": path}
    read1 = read_e(["security.bsd.see_other_uids"], "security.bsd.see_other_uids=1\n")
    type1 = read_t(["security.bsd.see_other_uids"], "integer")
    res = run_module(jail_sysctl.main, params, calls=[read1, type1], check=True, diff=True)
    assert res.changed and res.writes == 0 and slurp(path) == before
    assert res["sysctls"] == {"security.bsd.see_other_uids": {"before": "1", "after": "0"}}
    assert res["diff"][0]["after"] == {"security.bsd.see_other_uids": "0"}
    assert res["diff"][1]["after"].endswith("#security.bsd.see_other_uids=0\nsecurity.bsd.see_other_uids=0\n")

    setc = Call(["/testbin/sysctl", "security.bsd.see_other_uids=0"], out="security.bsd.see_other_uids: 1 -> 0\n")
    res = run_module(jail_sysctl.main, params, calls=[read1, type1, setc])
    assert res.changed and res.writes == 1 and res["persisted_to"] == path
    assert slurp(path) == before + "security.bsd.see_other_uids=0\n"

    read2 = read_e(["security.bsd.see_other_uids"], "security.bsd.see_other_uids=0\n")
    res = run_module(jail_sysctl.main, params, calls=[read2, type1], check=True)
    assert not res.changed and res.writes == 0
    res = run_module(jail_sysctl.main, params, calls=[read2, type1])
    assert not res.changed and res.writes == 0


def test_many_in_one_read_and_one_set_numeric_equality(tmp_path):
    path = conf(tmp_path, "kern.ipc.somaxconn=1024\n")
    params = {"sysctls": {"kern.ipc.somaxconn": "1024.0", "kern.maxfiles": 20000}, "sysctl_file": path}
    calls = [
        read_e(["kern.ipc.somaxconn", "kern.maxfiles"], "kern.ipc.somaxconn= 1024\nkern.maxfiles=12345\n"),
        read_t(["kern.ipc.somaxconn", "kern.maxfiles"], "integer"),
        Call(["/testbin/sysctl", "kern.maxfiles=20000"]),
    ]
    res = run_module(jail_sysctl.main, params, calls=calls)
    assert res.changed and res.writes == 1
    assert slurp(path) == "kern.ipc.somaxconn=1024\nkern.maxfiles=20000\n"


def test_failures_before_any_change(tmp_path):
    path = conf(tmp_path, "kern.a=1\n")
    cases = [
        ({"name": "foo.bar", "value": 1}, "", 1, "sysctl: unknown oid 'foo.bar'\n", "unknown oid 'foo.bar'"),
        ({"name": "security.jail.jailed", "value": 1}, "security.jail.jailed=0\n", 0, "", "is read only"),
        ({"name": "kern.maxusers", "value": 512}, "kern.maxusers=384\n", 0, "", "belongs in /boot/loader.conf"),
        ({"name": "kern.maxfiles", "value": "lots"}, "kern.maxfiles=12345\n", 0, "", "not an integer"),
    ]
    for params, out, rc, err, expected in cases:
        params = dict(params, sysctl_file=path)
        res = run_module(jail_sysctl.main, params, calls=[read_e([params["name"]], out, rc=rc, err=err)])
        assert res.failed and expected in res["msg"], res
        assert res.writes == 0 and slurp(path) == "kern.a=1\n"


def test_bad_name_and_missing_value_fail_without_any_call(tmp_path):
    res = run_module(jail_sysctl.main, {"sysctls": {"kern": 1}}, calls=[])
    assert res.failed and res["msg"].startswith("sysctls.kern:")
    res = run_module(jail_sysctl.main, {"name": "kern.securelevel"}, calls=[])
    assert res.failed and "name: a value is required" in res["msg"]
    res = run_module(jail_sysctl.main, {"name": "kern.hostname", "value": "a#b"}, calls=[])
    assert res.failed and "cannot be written to sysctl.conf" in res["msg"]


def test_jail_raise_securelevel_live_only_and_refuse_lowering():
    read = Call(["/testbin/jexec", "web", "/sbin/sysctl", "-e", "kern.securelevel"], out="kern.securelevel=-1\n")
    typ = read_t(["kern.securelevel"], "integer", jail="web")
    setc = Call(["/testbin/jexec", "web", "/sbin/sysctl", "kern.securelevel=3"], out="kern.securelevel: -1 -> 3\n")
    params = {"jail": "web", "name": "kern.securelevel", "value": 3, "persist": False}
    res = run_module(jail_sysctl.main, params, calls=[read, typ, setc])
    assert res.changed and res.writes == 0 and res["persisted_to"] is None
    read3 = Call(["/testbin/jexec", "web", "/sbin/sysctl", "-e", "kern.securelevel"], out="kern.securelevel=3\n")
    res = run_module(jail_sysctl.main, dict(params, value=1), calls=[read3])
    assert res.failed and "can only be raised inside jail web (now 3, asked 1)" in res["msg"]


def test_jail_persist_writes_inside_the_jail_root(tmp_path):
    (tmp_path / "etc").mkdir()
    read = Call(["/testbin/jexec", "web", "/sbin/sysctl", "-e", "net.inet.tcp.blackhole"], out="")
    read = Call(read.argv, out="net.inet.tcp.blackhole=0\n")
    calls = [
        read,
        read_t(["net.inet.tcp.blackhole"], "integer", jail="web"),
        Call(["/testbin/jls", "-j", "web", "path"], out="%s\n" % tmp_path),
        Call(["/testbin/jexec", "web", "/sbin/sysctl", "net.inet.tcp.blackhole=2"]),
    ]
    res = run_module(jail_sysctl.main, {"jail": "web", "name": "net.inet.tcp.blackhole", "value": 2}, calls=calls)
    assert res.changed  # written through the jail's root (renameat), not by the host path
    assert res["persisted_to"] == str(tmp_path / "etc" / "sysctl.conf")
    assert (tmp_path / "etc" / "sysctl.conf").read_text() == "net.inet.tcp.blackhole=2\n"


def test_deprecated_knob_warns_with_the_jail_parameter(tmp_path, capsys):
    path = conf(tmp_path, "")
    params = {"name": "security.jail.allow_raw_sockets", "value": True, "sysctl_file": path}
    calls = [
        read_e(["security.jail.allow_raw_sockets"], "security.jail.allow_raw_sockets=0\n"),
        read_t(["security.jail.allow_raw_sockets"], "integer"),
        Call(["/testbin/sysctl", "security.jail.allow_raw_sockets=1"]),
    ]
    res = run_module(jail_sysctl.main, params, calls=calls)
    assert res.changed
    warnings = res.get("warnings") or [capsys.readouterr().err]
    assert any("allow.raw_sockets" in w and "bsd.jails.jail" in w for w in warnings)


def test_kernel_refusal_is_explained_and_file_untouched(tmp_path):
    path = conf(tmp_path, "# mine\n")
    err = "sysctl: kern.securelevel=2: Operation not permitted\n"
    calls = [
        read_e(["kern.securelevel"], "kern.securelevel=1\n"),
        read_t(["kern.securelevel"], "integer"),
        Call(["/testbin/sysctl", "kern.securelevel=2"], rc=1, out="kern.securelevel: 1\n", err=err),
        read_e(["kern.securelevel"], "kern.securelevel=1\n"),  # read back: nothing to set back
    ]
    res = run_module(jail_sysctl.main, {"name": "kern.securelevel", "value": 2, "sysctl_file": path}, calls=calls)
    assert res.failed and "name: kern.securelevel: setting 2 is not permitted here" in res["msg"]
    assert res["rolled_back"] == {}
    assert res.writes == 0 and slurp(path) == "# mine\n"


def test_absent_removes_the_line_only(tmp_path):
    path = conf(tmp_path, "# keep\nkern.a=1\nkern.b=2\n")
    params = {"name": "kern.a", "state": "absent", "sysctl_file": path}
    res = run_module(jail_sysctl.main, params, calls=[], check=True, diff=True)
    assert res.changed and res.writes == 0 and res["diff"][0]["after"] == "# keep\nkern.b=2\n"
    res = run_module(jail_sysctl.main, params, calls=[])
    assert res.changed and res.writes == 1 and slurp(path) == "# keep\nkern.b=2\n"
    assert res["sysctls"] == {"kern.a": {"before": "1", "after": None}}
    res = run_module(jail_sysctl.main, params, calls=[])
    assert not res.changed and res.writes == 0


def jail_calls(tmp_path, name="kern.securelevel", live="-1", typ="integer"):
    return [
        Call(["/testbin/jexec", "web", "/sbin/sysctl", "-e", name], out="%s=%s\n" % (name, live)),
        read_t([name], typ, jail="web"),
        Call(["/testbin/jls", "-j", "web", "path"], out="%s\n" % (tmp_path / "root")),
    ]


def test_jail_links_in_the_root_are_never_followed(tmp_path):
    host = tmp_path / "host"
    host.mkdir()
    (host / "sysctl.conf").write_text("host=1\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "etc").symlink_to(host)
    params = {"jail": "web", "name": "kern.securelevel", "value": 1}
    res = run_module(jail_sysctl.main, params, calls=jail_calls(tmp_path), diff=True)
    assert res.failed and "jail web: etc is a symbolic link (to %s)" % host in res["msg"], res
    assert (host / "sysctl.conf").read_text() == "host=1\n" and "diff" not in res.result

    (root / "etc").unlink()
    (root / "etc").mkdir()
    (root / "etc" / "sysctl.conf").symlink_to(host / "sysctl.conf")
    res = run_module(jail_sysctl.main, params, calls=jail_calls(tmp_path), diff=True)
    assert res.failed and "jail web: etc/sysctl.conf is a symbolic link" in res["msg"], res
    assert (host / "sysctl.conf").read_text() == "host=1\n"
    assert os.path.islink(root / "etc" / "sysctl.conf")


def test_sysctl_file_checked_before_any_call(tmp_path):
    params = {"name": "kern.maxfiles", "value": 1, "sysctl_file": "rel/sysctl.conf"}
    res = run_module(jail_sysctl.main, params, calls=[])
    assert res.failed and res["msg"].startswith("sysctl_file: 'rel/sysctl.conf' is not an absolute path")
    params = {"jail": "web", "name": "kern.maxfiles", "value": 1, "sysctl_file": "/../../etc/sysctl.conf"}
    res = run_module(jail_sysctl.main, params, calls=[])
    assert res.failed and res["msg"].startswith("sysctl_file: '/../../etc/sysctl.conf' has a '..' component")


def test_whole_batch_typed_before_the_first_set(tmp_path):
    path = conf(tmp_path, "# mine\n")
    names = ["kern.maxfiles", "kern.maxvnodes"]
    calls = [
        read_e(names, "kern.maxfiles=262144\nkern.maxvnodes=536178\n"),
        read_t(names, ["integer", "unsigned long"]),
    ]
    params = {"sysctls": {"kern.maxfiles": 300000, "kern.maxvnodes": -5}, "sysctl_file": path}
    res = run_module(jail_sysctl.main, params, calls=calls)
    assert res.failed and "kern.maxvnodes: -5 is negative, and the oid is of type unsigned long" in res["msg"], res
    assert "kern.maxfiles" not in res["msg"] and slurp(path) == "# mine\n"

    params = {"sysctls": {"kern.maxfiles": "99999999999999999999", "kern.maxvnodes": 1}, "sysctl_file": path}
    res = run_module(jail_sysctl.main, params, calls=calls)
    assert res.failed and res["msg"].startswith("kern.maxfiles: 99999999999999999999 is out of range"), res
    assert "(-2147483648 to 2147483647)" in res["msg"] and slurp(path) == "# mine\n"


def test_batch_refused_partway_is_set_back_and_the_file_untouched(tmp_path):
    """sysctl(8) sets its arguments in turn: the first may be taken when the second is refused."""
    path = conf(tmp_path, "# mine\n")
    names = ["kern.hostname", "kern.maxfiles"]
    err = "sysctl: kern.maxfiles=300000: Operation not permitted\n"
    calls = [
        read_e(names, "kern.hostname=old\nkern.maxfiles=262144\n"),
        read_t(names, ["string", "integer"]),
        Call(["/testbin/sysctl", "kern.hostname=new", "kern.maxfiles=300000"], rc=1, err=err),
        read_e(names, "kern.hostname=new\nkern.maxfiles=262144\n"),
        Call(["/testbin/sysctl", "kern.hostname=old"], out="kern.hostname: new -> old\n"),
    ]
    params = {"sysctls": {"kern.hostname": "new", "kern.maxfiles": 300000}, "sysctl_file": path}
    res = run_module(jail_sysctl.main, params, calls=calls)
    assert res.failed and res["msg"].startswith("sysctls.kern.maxfiles: kern.maxfiles: setting 300000 is not"), res
    assert "set back to their values before the task: kern.hostname=old" in res["msg"]
    assert res["rolled_back"] == {"kern.hostname": "old"}
    assert res.writes == 0 and slurp(path) == "# mine\n"


def test_set_back_refused_is_named(tmp_path):
    path = conf(tmp_path, "# mine\n")
    names = ["kern.hostname", "kern.maxfiles"]
    calls = [
        read_e(names, "kern.hostname=old\nkern.maxfiles=262144\n"),
        read_t(names, ["string", "integer"]),
        Call(
            ["/testbin/sysctl", "kern.hostname=new", "kern.maxfiles=300000"],
            rc=1,
            err="sysctl: kern.maxfiles=300000: Operation not permitted\n",
        ),
        read_e(names, "kern.hostname=new\nkern.maxfiles=262144\n"),
        Call(
            ["/testbin/sysctl", "kern.hostname=old"], rc=1, err="sysctl: kern.hostname=old: Operation not permitted\n"
        ),
        read_e(["kern.hostname"], "kern.hostname=new\n"),
    ]
    params = {"sysctls": {"kern.hostname": "new", "kern.maxfiles": 300000}, "sysctl_file": path}
    res = run_module(jail_sysctl.main, params, calls=calls)
    assert res.failed and "could not set back kern.hostname (kern.hostname: setting old is not permitted" in res["msg"]
    assert res.writes == 0


def test_validate_only_reads_the_host_and_nothing_in_the_jail():
    names = ["kern.securelevel", "kern.maxfiles"]
    calls = [
        read_e(names, "kern.securelevel=3\nkern.maxfiles=262144\n"),
        read_t(names, "integer"),
    ]
    # a securelevel below the host's is no reason to refuse a jail's (the jail's own is checked when set)
    params = {"jail": "www", "sysctls": {"kern.securelevel": 1, "kern.maxfiles": 300000}, "validate_only": True}
    res = run_module(jail_sysctl.main, params, calls=calls)
    assert not res.failed and not res.changed and res.writes == 0, res.result

    params["sysctls"] = {"kern.securelevel": 1, "kern.maxfiles": "99999999999"}
    res = run_module(jail_sysctl.main, params, calls=calls)
    assert res.failed and res["msg"].startswith("kern.maxfiles: 99999999999 is out of range"), res.result

    unknown = Call(["/testbin/sysctl", "-e", "no.such"], rc=1, err="sysctl: unknown oid 'no.such'\n")
    params = {"jail": "www", "sysctls": {"no.such": 1}, "validate_only": True}
    res = run_module(jail_sysctl.main, params, calls=[unknown])
    assert res.failed and "no.such: unknown oid 'no.such'" in res["msg"], res.result
