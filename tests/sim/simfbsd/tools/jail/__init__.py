"""jail(8): create, modify and remove jails (tests/fixtures/freebsd/BEHAVIOUR.md §1-3).

Split as FreeBSD splits usr.sbin/jail: ``jail.py`` (jail.c: main(), create_jail(),
update_jail(), print_jail(), usage()), ``config.py`` (config.c: load_config(), the parameters of
a job, import_params()), ``command.py`` (command.c: next_command()/run_command(): exec hooks,
mounts, interface aliases) and ``state.py`` (state.c: which jails an operation applies to and
in what order).  The kernel lock is held only around record changes, never while exec.* commands run.
"""

from .jail import main

__all__ = ["main"]
