"""What an installed kiosk is made of, as text: the systemd units, the X server's settings, the system user, the
udev rules, the polkit rule, the journald drop-in and the demo config. Pure functions of :class:`Layout`, so
each file is checked byte for byte by tests and written by provisioning.install.

The kiosk session is one X server with no window manager (sbk-kiosk-display.service, Xorg on tty1) and the
kiosk app as a client of it (sbk-kiosk.service), both started at boot with no login. Why X and not a Wayland
kiosk compositor (cage): Kivy 2.3.1's wheels draw through SDL2, whose X11 back end is the one Kivy is tested
on; cage would need Xwayland for it anyway, so X alone is one layer less. Xorg's own options switch blanking
and DPMS off (``-s 0 -dpms`` and the ServerFlags below), hide the pointer and refuse VT switches and Ctrl-Alt-
Backspace, so a citizen cannot leave the kiosk; the app itself never opens a second window.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

USER = "sbk-kiosk"
PREFIX = "/opt/sbk-kiosk"
CONFIG_DIR = "/etc/sbk-kiosk"
STATE_DIR = "/var/lib/sbk-kiosk"
APP_UNIT = "sbk-kiosk.service"
DISPLAY_UNIT = "sbk-kiosk-display.service"
XAUTHORITY = "/run/sbk-kiosk-display/Xauthority"
XORG = "/usr/lib/xorg/Xorg"          # the server itself (Debian and Ubuntu), not the Xorg.wrap setuid wrapper
# the groups the kiosk user joins: serial readers and the issuer (dialout), the camera (video), the voice
# (audio), Mesa's render node (render); USB printers get the kiosk's own group from the udev rules
GROUPS = ("dialout", "video", "audio", "render")
ROTATIONS = {               # libinput's calibration matrix for a touch panel mounted turned by N degrees
    0: "1 0 0 0 1 0 0 0 1",
    90: "0 1 0 -1 0 1 0 0 1",
    180: "-1 0 1 0 -1 1 0 0 1",
    270: "0 -1 1 1 0 0 0 0 1",
}


@dataclass(frozen=True)
class UsbDevice:
    """One device by what it says about itself on USB, as ``detect`` and udev see it."""
    role: str                # idreader | issuer | printer | camera
    vendor: str              # four hex digits
    product: str
    serial: str = ""         # empty: any device of this vendor and product (one of its kind on the kiosk)


@dataclass(frozen=True)
class Layout:
    user: str = USER
    prefix: str = PREFIX
    config_dir: str = CONFIG_DIR
    state_dir: str = STATE_DIR
    display: str = ":0"
    vt: int = 1
    watchdog_s: int = 30
    touch_rotation: int = 0
    devices: tuple[UsbDevice, ...] = field(default_factory=tuple)

    @property
    def venv(self) -> str:
        return f"{self.prefix}/venv"

    @property
    def config_file(self) -> str:
        return f"{self.config_dir}/kiosk.toml"

    @property
    def keys_dir(self) -> str:
        return f"{self.config_dir}/keys"

    @property
    def sample_faces(self) -> str:
        return f"{self.prefix}/share/sample-faces"


def sysusers(layout: Layout) -> str:
    lines = ["# The kiosk's system user (sysusers.d(5)), written by sbk-provision install.",
             f'u {layout.user} - "Social security card kiosk" {layout.state_dir} /usr/sbin/nologin']
    lines += [f"m {layout.user} {group}" for group in GROUPS]
    return "\n".join(lines) + "\n"


def app_unit(layout: Layout) -> str:
    return f"""\
# Written by sbk-provision install; `sbk-provision install` again rewrites it, `uninstall` removes it.
[Unit]
Description=Social security card self-service kiosk
Documentation=file://{layout.prefix}/README.md
BindsTo={DISPLAY_UNIT}
After={DISPLAY_UNIT} pcscd.socket network-online.target time-sync.target
Wants=pcscd.socket network-online.target
# a kiosk never gives up: no start limit, it is restarted however often it fails
StartLimitIntervalSec=0

[Service]
Type=notify
NotifyAccess=main
ExecStart={layout.venv}/bin/sbk-kiosk --config {layout.config_file}
User={layout.user}
Group={layout.user}
Environment=DISPLAY={layout.display} XAUTHORITY={XAUTHORITY} HOME={layout.state_dir} TMPDIR=/run/sbk-kiosk
Environment=KIOSK_SAMPLE_FACES={layout.sample_faces} PYTHONUNBUFFERED=1
StateDirectory=sbk-kiosk
StateDirectoryMode=0750
RuntimeDirectory=sbk-kiosk
RuntimeDirectoryMode=0700
UMask=0027
# the UI pings the watchdog from its own clock (kiosk/screens/watchdog.py): a frozen screen is restarted
WatchdogSec={layout.watchdog_s}
# the first start loads the face models and prepares the voice prompts
TimeoutStartSec=180
# SIGTERM ends the citizen's session (wiped) and closes the devices; a card half way is the journal's
TimeoutStopSec=30
Restart=always
RestartSec=3
# Hardening that leaves the devices alone. Not set, and why: PrivateDevices= (serial readers, USB
# printers, the camera, Mesa's /dev/dri), PrivateTmp= (the X server's socket in /tmp/.X11-unix),
# MemoryDenyWriteExecute= (Mesa's llvmpipe compiles shaders at run time), PrivateNetwork= (the service).
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK

[Install]
WantedBy=graphical.target
"""


def display_unit(layout: Layout) -> str:
    return f"""\
# Written by sbk-provision install: the kiosk's screen, one X server with no window manager on tty{layout.vt}.
[Unit]
Description=Social security card kiosk: the screen (X server, no window manager)
Documentation=man:Xorg(1)
Conflicts=getty@tty{layout.vt}.service
After=systemd-user-sessions.service getty@tty{layout.vt}.service systemd-logind.service systemd-udev-settle.service
StartLimitIntervalSec=0

[Service]
Type=simple
RuntimeDirectory=sbk-kiosk-display
RuntimeDirectoryMode=0755
# a fresh cookie at every start, readable by the kiosk's group only: no other local user draws on the kiosk
ExecStartPre=/bin/sh -c 'umask 077 && rm -f {XAUTHORITY} && xauth -q -f {XAUTHORITY} add {layout.display} . $$(mcookie) && chgrp {layout.user} {XAUTHORITY} && chmod 0640 {XAUTHORITY}'
ExecStart={XORG} {layout.display} vt{layout.vt} -keeptty -novtswitch -nolisten tcp -nocursor -s 0 -dpms -auth {XAUTHORITY}
Restart=always
RestartSec=2

[Install]
WantedBy=graphical.target
"""


def xorg_conf(layout: Layout) -> str:
    if layout.touch_rotation not in ROTATIONS:
        raise ValueError(f"touch rotation {layout.touch_rotation}: one of {', '.join(map(str, ROTATIONS))}")
    return f"""\
# Written by sbk-provision install: the screen never blanks, and a citizen cannot switch away or kill it.
Section "ServerFlags"
    Option "BlankTime" "0"
    Option "StandbyTime" "0"
    Option "SuspendTime" "0"
    Option "OffTime" "0"
    Option "DontVTSwitch" "true"
    Option "DontZap" "true"
EndSection

# The touch panel, configured once: libinput, turned by {layout.touch_rotation} degrees to match the screen.
Section "InputClass"
    Identifier "sbk-kiosk touchscreen"
    MatchIsTouchscreen "on"
    MatchDevicePath "/dev/input/event*"
    Driver "libinput"
    Option "CalibrationMatrix" "{ROTATIONS[layout.touch_rotation]}"
EndSection
"""


_HEX4 = re.compile(r"^[0-9a-f]{4}$")
_SERIAL = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
ROLES = {"idreader": "tty", "issuer": "tty", "printer": "usb", "camera": "video4linux"}


def check_device(device: UsbDevice) -> UsbDevice:
    """A device's identity as it may go into a udev rule: what a device reports is not trusted into a rule."""
    if device.role not in ROLES:
        raise ValueError(f"device role {device.role!r}: one of {', '.join(ROLES)}")
    if not (_HEX4.match(device.vendor) and _HEX4.match(device.product)):
        raise ValueError(f"{device.role}: vendor and product are four hex digits, got {device.vendor}:{device.product}")
    if device.serial and not _SERIAL.match(device.serial):
        raise ValueError(f"{device.role}: serial {device.serial!r} has characters a udev rule cannot hold")
    return device


def udev_rules(layout: Layout) -> str:
    """Each configured device gets /dev/sbk/ROLE by vendor, product and serial, and the kiosk's group."""
    lines = ["# Written by sbk-provision install: stable names for the kiosk's devices (/dev/sbk/ROLE) and",
             "# access for its user. Devices come from `sbk-provision install --device ROLE=...` (see detect).",
             ""]
    if not layout.devices:
        lines.append("# no device named at install time: the kiosk reaches its devices through its groups")
    for device in map(check_device, layout.devices):
        match = f'ATTRS{{idVendor}}=="{device.vendor}", ATTRS{{idProduct}}=="{device.product}"'
        if device.serial:
            match += f', ATTRS{{serial}}=="{device.serial}"'
        access = f'GROUP="{layout.user}", MODE="0660"'
        lines.append(f"# {device.role}: {device.vendor}:{device.product}{' serial ' + device.serial if device.serial else ''}")
        if ROLES[device.role] == "tty":
            lines.append(f'SUBSYSTEM=="tty", {match}, SYMLINK+="sbk/{device.role}", {access}')
        elif ROLES[device.role] == "usb":        # pyusb opens the USB device; usblp gives the printer a node
            lines.append(f'SUBSYSTEM=="usb", ENV{{DEVTYPE}}=="usb_device", {match.replace("ATTRS", "ATTR")}, {access}')
            lines.append(f'SUBSYSTEM=="usbmisc", KERNEL=="lp*", {match}, SYMLINK+="sbk/{device.role}", {access}')
        else:                                    # a camera has several video nodes: the capture one is index 0
            lines.append(f'SUBSYSTEM=="video4linux", {match}, ATTR{{index}}=="0", SYMLINK+="sbk/{device.role}", {access}')
    return "\n".join(lines) + "\n"


def polkit_rule(layout: Layout) -> str:
    return f"""\
// Written by sbk-provision install: the kiosk's user may use the card readers through pcscd where pcscd asks
// polkit (Debian 13, Ubuntu 24.04); a system user has no session, so the default rule would refuse it.
polkit.addRule(function(action, subject) {{
    if ((action.id == "org.debian.pcsc-lite.access_pcsc" ||
         action.id == "org.debian.pcsc-lite.access_card") &&
        subject.user == "{layout.user}") {{
        return polkit.Result.YES;
    }}
}});
"""


def journald_conf(_layout: Layout) -> str:
    return """\
# Written by sbk-provision install: the journal survives a power cut (a technician reads what happened
# before it) and stays bounded on the kiosk's disk.
[Journal]
Storage=persistent
SystemMaxUse=500M
"""


def demo_config(layout: Layout, kiosk_id: str = "DEMO-0001") -> str:
    return f"""\
# The demo kiosk (sbk-provision install --demo): every device simulated at its wire protocol, the reference
# card-management service in process, demo cards from the simulator panel. For showrooms and acceptance
# tests; a kiosk for citizens gets its own config (provisioning/kiosk.example.toml) and is enrolled.
kiosk_id = "{kiosk_id}"
state_dir = "{layout.state_dir}"

[service]
url = "embedded"
"""
