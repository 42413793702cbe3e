"""rc.d/routing: the default routes are set by netif.configure_from_rc (defaultrouter)."""

NAME = "routing"
RCVAR = None
COMMANDS = ("options", "static")


def start(ctx, rc, args):
    return 0


def stop(ctx, rc, args):
    return 0


def options(ctx, rc, args):
    return 0


static = options
