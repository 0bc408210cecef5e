"""The installed kiosk's files as text (provisioning.layout), the command-line device names, the venv relocation,
and the systemd side of the app: sd_notify datagrams, the watchdog interval, journal priority prefixes."""
from __future__ import annotations

import logging
import os
import socket

import pytest

from kiosk import sdnotify
from kiosk.logsetup import JournalLines
from provisioning import layout as L
from provisioning.install import InstallError, packages, parse_device, relocate


def test_each_named_device_gets_a_stable_name_and_the_kiosk_group_by_vendor_product_and_serial():
    rules = L.udev_rules(L.Layout(devices=(parse_device("idreader=usb:1A86:7523:A5C3"),
                                           parse_device("printer=usb:0416:5011"),
                                           parse_device("camera=usb:046d:0825"))))
    assert ('SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", ATTRS{serial}=="A5C3", '
            'SYMLINK+="sbk/idreader", GROUP="sbk-kiosk", MODE="0660"') in rules.splitlines()
    assert ('SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="0416", ATTR{idProduct}=="5011", '
            'GROUP="sbk-kiosk", MODE="0660"') in rules.splitlines()
    assert ('SUBSYSTEM=="video4linux", ATTRS{idVendor}=="046d", ATTRS{idProduct}=="0825", ATTR{index}=="0", '
            'SYMLINK+="sbk/camera", GROUP="sbk-kiosk", MODE="0660"') in rules.splitlines()


@pytest.mark.parametrize("given", ['idreader=usb:1a86:7523:A5"C3', "idreader=usb:1a86:75", "scanner=usb:1a86:7523",
                                   "idreader=/dev/ttyUSB0", 'idreader=usb:1a86:7523:x", RUN+="/bin/sh'])
def test_a_device_name_that_could_not_go_into_a_udev_rule_safely_is_refused(given):
    with pytest.raises(InstallError):
        parse_device(given)


def test_the_touch_panel_matrix_follows_its_mounting_and_nothing_else_is_accepted():
    assert 'Option "CalibrationMatrix" "0 1 0 -1 0 1 0 0 1"' in L.xorg_conf(L.Layout(touch_rotation=90))
    with pytest.raises(ValueError):
        L.xorg_conf(L.Layout(touch_rotation=45))


def test_the_user_joins_the_device_groups_and_has_no_login_shell():
    assert L.sysusers(L.Layout()).splitlines()[1:] == [
        'u sbk-kiosk - "Social security card kiosk" /var/lib/sbk-kiosk /usr/sbin/nologin',
        "m sbk-kiosk dialout", "m sbk-kiosk video", "m sbk-kiosk audio", "m sbk-kiosk render"]


def test_run_time_packages_are_apart_from_what_tests_need():
    runtime = packages("runtime")
    assert {"pcscd", "xserver-xorg-core", "xauth", "python3-venv", "espeak-ng"} <= set(runtime)
    assert not {"xvfb", "vsmartcard-vpcd", "swig"} & set(runtime)
    assert "swig" in packages("build") and "xvfb" in packages("test")


def test_a_venv_built_in_a_tree_runs_from_its_final_place(tmp_path):
    venv = tmp_path / "tree/opt/app/venv.new"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin/tool").write_text(f"#!{venv}/bin/python\nprint('hi')\n")
    (venv / "bin/activate").write_text(f"VIRTUAL_ENV='{venv}'\n")
    (venv / "bin/compiled").write_bytes(b"\x7fELF\0\0" + str(venv).encode())
    (venv / "pyvenv.cfg").write_text(f"home = /usr/bin\ncommand = /usr/bin/python3 -m venv {venv}\n")
    os.symlink("/usr/bin/python3", venv / "bin/python")
    relocate(venv, str(venv), "/opt/app/venv")
    assert (venv / "bin/tool").read_text().startswith("#!/opt/app/venv/bin/python\n")
    assert (venv / "bin/activate").read_text() == "VIRTUAL_ENV='/opt/app/venv'\n"
    assert str(venv).encode() in (venv / "bin/compiled").read_bytes()        # a binary is never edited
    assert "venv /opt/app/venv" in (venv / "pyvenv.cfg").read_text()
    assert os.readlink(venv / "bin/python") == "/usr/bin/python3"


@pytest.fixture
def notify_socket(monkeypatch):
    name = f"sbk-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(2)
    monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
    yield sock
    sock.close()


def test_notifications_go_to_systemds_socket_as_one_datagram(notify_socket):
    assert sdnotify.notify("READY=1", "STATUS=serving as XA-0001")
    assert notify_socket.recv(4096) == b"READY=1\nSTATUS=serving as XA-0001"


def test_without_systemd_notifications_do_nothing_and_a_dead_socket_is_not_a_crash(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sdnotify.notify("READY=1") is False
    monkeypatch.setenv("NOTIFY_SOCKET", "@sbk-nobody-listens-here")
    assert sdnotify.notify("WATCHDOG=1") is False


@pytest.mark.parametrize("usec,pid,interval", [("30000000", None, 15.0), ("2000000", "self", 1.0), ("0", None, None),
                                               ("", None, None), ("abc", None, None), ("30000000", "1", None)])
def test_the_watchdog_is_pinged_at_half_its_timeout_and_only_for_this_process(monkeypatch, usec, pid, interval):
    monkeypatch.setenv("WATCHDOG_USEC", usec)
    if pid is None:
        monkeypatch.delenv("WATCHDOG_PID", raising=False)
    else:
        monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()) if pid == "self" else pid)
    assert sdnotify.watchdog_interval() == interval


def test_journal_lines_carry_their_priority_on_every_line():
    handler = JournalLines()
    record = logging.LogRecord("kiosk.hw", logging.ERROR, __file__, 1, "jam at the gate\nsecond line", None, None)
    assert handler.format(record) == "<3>kiosk.hw: jam at the gate\n<3>second line"
    record = logging.LogRecord("kiosk", logging.INFO, __file__, 1, "ready", None, None)
    assert handler.format(record) == "<6>kiosk: ready"


def fake_usb_device(tmp_path, serial: str | None):
    """A sysfs-shaped tree: a USB device folder with its ids, an interface below it, a tty below that."""
    device = tmp_path / "devices/pci0000:00/usb1/1-1"
    tty = device / "1-1:1.0/ttyUSB0"
    tty.mkdir(parents=True)
    (device / "idVendor").write_text("1A86\n")
    (device / "idProduct").write_text("7523\n")
    if serial is not None:
        (device / "serial").write_text(serial + "\n")
    return tty


@pytest.mark.parametrize("serial,expected", [("A5C3", "usb:1a86:7523:A5C3"), (None, "usb:1a86:7523"),
                                             ('A5"C3', "usb:1a86:7523")])
def test_detect_names_a_device_by_the_usb_ids_above_its_node(tmp_path, serial, expected):
    from provisioning.usbids import usb_id
    tty = fake_usb_device(tmp_path, serial)
    assert usb_id(tty) == expected
    assert parse_device(f"idreader={expected}")          # what detect prints, install takes
    assert usb_id(tmp_path / "devices/pci0000:00") == ""   # not on USB


def test_a_later_install_that_names_no_device_keeps_the_devices_it_was_given(tmp_path):
    from provisioning.install import MANIFEST, previous_layout
    import dataclasses
    import json
    manifest = tmp_path / "opt/sbk-kiosk" / MANIFEST
    manifest.parent.mkdir(parents=True)
    given = L.Layout(devices=(parse_device("idreader=usb:1a86:7523:A5C3"),), touch_rotation=90)
    manifest.write_text(json.dumps({"layout": dataclasses.asdict(given)}))
    before = previous_layout(str(tmp_path))
    assert [L.UsbDevice(**d) for d in before["devices"]] == list(given.devices) and before["touch_rotation"] == 90
