"""The kernel's errors for network interfaces: NetifError carries ifconfig(8)'s text (without the
``ifconfig: `` prefix); the strerror(3) texts are lib/libc/gen/errlst.c's."""


class NetifError(Exception):
    pass


EPERM_TEXT = "Operation not permitted"
# strerror(3) texts (lib/libc/gen/errlst.c)
EEXIST_TEXT = "File exists"


EINVAL_TEXT = "Invalid argument"


ENXIO_TEXT = "Device not configured"


ENOENT_TEXT = "No such file or directory"


EBUSY_TEXT = "Device busy"
