"""Which USB device a device node belongs to, read from sysfs: the vendor, product and serial that
``detect`` prints as ``usb:VID:PID[:SERIAL]``, the form ``install --device ROLE=…`` takes for its udev rules."""
from __future__ import annotations

import os
from pathlib import Path

from provisioning import layout


def usb_id(sysfs_device: str | os.PathLike) -> str:
    """``usb:VID:PID[:SERIAL]`` of the USB device above ``sysfs_device`` (e.g. /sys/class/tty/ttyUSB0/device),
    or "" when it is not on USB. A serial a udev rule could not hold safely is left out (matched by kind)."""
    try:
        here = Path(os.path.realpath(sysfs_device))
    except OSError:
        return ""
    for folder in (here, *here.parents):
        vendor, product = folder / "idVendor", folder / "idProduct"
        if vendor.is_file() and product.is_file():
            vid, pid = vendor.read_text().strip().lower(), product.read_text().strip().lower()
            serial_file = folder / "serial"
            serial = serial_file.read_text(errors="replace").strip() if serial_file.is_file() else ""
            try:
                layout.check_device(layout.UsbDevice("idreader", vid, pid, serial))
            except ValueError:
                if not serial:
                    return ""
                serial = ""
            return f"usb:{vid}:{pid}" + (f":{serial}" if serial else "")
    return ""


def node_usb_id(node: str, subsystem: str) -> str:
    """``usb_id`` for /dev/NAME of a class device (tty, video4linux, usbmisc)."""
    return usb_id(f"/sys/class/{subsystem}/{os.path.basename(node)}/device")
