"""A cf.m4 subset (share/sendmail/cf/m4/cf.m4, proto.m4): what ``.mc.cf`` makes of a .mc file."""

import re
import time

CF_DIR = "/usr/share/sendmail/cf"


M4 = "/usr/bin/m4"


_FEATURES = """
access_db allmasquerade always_add_domain authinfo badmx bestmx_is_local bitdomain blacklist_recipients
blocklist_recipients block_bad_helo compat_check conncontrol delay_checks dnsbl domaintable enhdnsbl
genericstable greet_pause ldap_routing limited_masquerade local_lmtp local_no_masquerade local_procmail
local_ratecontrol lookupdotdomain loose_relay_check mailertable masquerade_entire_domain masquerade_envelope
msp mtamark no_default_msa nocanonify nopercenthack notsticky nouucp nullclient preserve_local_plus_detail
preserve_luser_host prefixmod promiscuous_relay queuegroup ratecontrol redirect relay_based_on_MX
relay_entire_domain relay_hosts_only relay_local_from relay_mail_from require_rdns smrsh stickyhost
use_client_ptr use_ct_file use_cw_file uucpdomain virtuser_entire_domain virtusertable
accept_unqualified_senders accept_unresolvable_domains
"""


FEATURES = frozenset(_FEATURES.split())


OSTYPES = frozenset(("freebsd4", "freebsd5", "freebsd6", "bsd4.4", "bsd4.3", "linux", "openbsd", "netbsd"))


DOMAINS = {"generic"}


MAILERS = frozenset(("local", "smtp", "procmail", "uucp", "usenet", "fax", "pop", "cyrus", "cyrusv2", "lmtp"))


class M4Error(Exception):
    pass


def _m4_args(text, i, name, line):
    """Parse ``(a, b, ...)`` from text[i] == '('; returns (args, index after ')')."""
    args, cur, depth, q = [], [], 0, 0
    i += 1
    while i < len(text):
        c = text[i]
        if q:
            if c == "`":
                q += 1
            elif c == "'":
                q -= 1
                if q == 0:
                    i += 1
                    continue
            cur.append(c)
        elif c == "`":
            q = 1
        elif c == "(":
            depth += 1
            cur.append(c)
        elif c == ")":
            if depth == 0:
                args.append("".join(cur).strip())
                return args, i + 1
            depth -= 1
            cur.append(c)
        elif c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if q:
        raise M4Error(f"m4: unexpected end of input, unclosed quote:\n   {name} at line {line}")
    raise M4Error(f"m4: unexpected end of input, unclosed parenthesis:\n   {name} at line {line}")


def cf_from_mc(text, mcname):
    """Evaluate the .mc the way cf.m4 would, for the parts that matter; returns a dict.

    Raises M4Error(msg) (m4's message, UNVERIFIED wording: BSD m4 usr.bin/m4) on
    unbalanced quotes/parentheses, and for an unknown FEATURE/OSTYPE/DOMAIN/MAILER
    (cf.m4 includes ``_CF_DIR_/feature/NAME.m4``, missing -> m4 cannot open it).
    """
    res = {"daemons": [], "features": [], "defines": {}, "mailers": [], "versionid": None,
           "ostype": None, "domain": None, "client": []}  # fmt: skip
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":  # comment to end of line (dropped: divert(-1) or harmless)
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c == "`":
            depth, j = 1, i + 1
            while j < n and depth:
                depth += {"`": 1, "'": -1}.get(text[j], 0)
                j += 1
            if depth:
                line = text.count("\n", 0, i) + 1
                raise M4Error(f"m4: unexpected end of input, unclosed quote:\n   quoted string at line {line}")
            i = j
            continue
        m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(text, i)
        if not m:
            i += 1
            continue
        name = m.group(0)
        i = m.end()
        if name == "dnl":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        args = []
        if i < n and text[i] == "(":
            line = text.count("\n", 0, m.start()) + 1
            args, i = _m4_args(text, i, name, line)
        a0 = args[0] if args else ""
        if name == "DAEMON_OPTIONS":
            res["daemons"].append(a0)
        elif name == "CLIENT_OPTIONS":
            res["client"].append(a0)
        elif name == "FEATURE":
            if a0 not in FEATURES:
                raise M4Error(f"m4: {CF_DIR}/feature/{a0}.m4: No such file or directory")
            res["features"].append(a0)
        elif name == "OSTYPE":
            if a0 not in OSTYPES:
                raise M4Error(f"m4: {CF_DIR}/ostype/{a0}.m4: No such file or directory")
            res["ostype"] = a0
        elif name == "DOMAIN":
            if a0 not in DOMAINS:
                raise M4Error(f"m4: {CF_DIR}/domain/{a0}.m4: No such file or directory")
            res["domain"] = a0
        elif name == "MAILER":
            if a0 not in MAILERS:
                raise M4Error(f"m4: {CF_DIR}/mailer/{a0}.m4: No such file or directory")
            res["mailers"].append(a0)
        elif name == "define" and args:
            res["defines"][a0] = args[1] if len(args) > 1 else ""
        elif name == "undefine" and args:
            res["defines"].pop(a0, None)
        elif name == "VERSIONID":
            res["versionid"] = a0
    return res


def render_cf(res, host, mcname):
    """A sendmail.cf-like file: the header and option lines proto.m4 writes for what was recorded."""
    when = time.strftime("%a %b %d %H:%M:%S %Z %Y")
    out = [
        "#",
        "# Copyright (c) 1998-2004, 2009, 2010 Proofpoint, Inc. and its suppliers.",
        "#\tAll rights reserved.",
        "#",
        "######################################################################",
        "######################################################################",
        "#####",
        "#####\t\tSENDMAIL CONFIGURATION FILE",
        "#####",
        f"##### built by root@{host} on {when}",
        "##### in /etc/mail",
        f"##### using {CF_DIR}/ as configuration include directory",
        "##### (simulated cf.m4: see tests/sim/simfbsd/tools/make/cf.py)",
        "#####",
        "######################################################################",
        "######################################################################",
        "",
    ]
    if res["versionid"]:
        out.append(f"#####  {res['versionid']}  #####")
    if res["ostype"]:
        out.append(f"#####  OSTYPE {res['ostype']}  #####")
    for f in res["features"]:
        out.append(f"#####  FEATURE {f}  #####")
    out += ["", "# level 10 config file format", "V10/Berkeley", ""]
    if "msp" not in res["features"]:
        out += ["# SMTP daemon options", ""]
        daemons = list(res["daemons"]) or ["Name=MTA"]
        if "no_default_msa" not in res["features"]:
            daemons.append("Port=587, Name=MSA, M=E")
        for d in daemons:
            out.append(f"O DaemonPortOptions={d}")
        out.append("")
    else:
        out += ["# SMTP daemon options (msp: submission only, no daemon)", ""]
    for c in res["client"]:
        out.append(f"O ClientPortOptions={c}")
    opts = {"confPRIVACY_FLAGS": "PrivacyOptions", "confBIND_OPTS": "ResolverOptions",
            "confTIME_ZONE": "TimeZoneSpec", "confCF_VERSION": None}  # fmt: skip
    for k, v in res["defines"].items():
        if opts.get(k):
            out.append(f"O {opts[k]}={v}")
    for m in res["mailers"]:
        out.append(f"#####  MAILER {m}  #####")
    return "\n".join(out) + "\n"
