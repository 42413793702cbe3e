"""jail.conf(5) as jail(8) reads it: the simulator's own parser (nothing from plugins/).

src: usr.sbin/jail/jaillex.l (tokens), jailparse.y (grammar), config.c
load_config()/add_param()/equalopts()/wild_jail_match()/wild_jail_name().

``load(path)`` returns ``[Jail(name, params)]`` for the non-wildcard jails in
file order, each with its parameters after wildcard merging and variable
substitution: ``params`` is an ordered list of ``[name, [values]]`` (a bare
``persist;`` has ``[]``).  Errors raise :class:`ConfError`; its ``messages``
are what jail(8) prints after ``jail: `` (one per line).

Split as usr.sbin/jail splits the code it models: ``lex.py`` (jaillex.l), ``parse.py``
(jailparse.y, ``.include``), ``config.py`` (config.c: load_config(), add_param(), equalopts(),
wild_jail_match(), wild_jail_name()).
"""

from .config import Jail, equalopts, load, loads, resolve, wild_jail_match, wild_jail_name
from .parse import ConfError

__all__ = ["ConfError", "Jail", "equalopts", "load", "loads", "resolve", "wild_jail_match", "wild_jail_name"]
