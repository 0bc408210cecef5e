"""`sbk-provision install --root TMP`, as an image build runs it: the tree it lays out (user, venv, config, keys
folder, units, udev, polkit, X settings), that a second run changes nothing, that systemd-analyze accepts the
units, and the unit's own command, run as the kiosk user the install created, in a mount namespace where the
tree's /opt/sbk-kiosk, /etc/sbk-kiosk and /var/lib/sbk-kiosk sit where the unit names them, on an X server of
its own: the kiosk starts and tells systemd READY, then pings the watchdog (read from a notify socket, as
systemd would), and stops with STOPPING on SIGTERM. Then uninstall.

The venv is built for real from this checkout with the system Python (one pip install, ~40 s with pip's cache).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.xdist_group("install"), pytest.mark.timeout(600)]

if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("systemd-sysusers") is None:
    pytest.skip("the install tests run as root with unshare and systemd-sysusers (CI does)", allow_module_level=True)

BOUND = ("/opt/sbk-kiosk", "/etc/sbk-kiosk", "/var/lib/sbk-kiosk")     # where the unit looks for the tree


def provision(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "provisioning", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=480)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path in the tree with its mode, owner and content hash (a link: its target)."""
    out = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        if path.is_symlink():
            what = os.readlink(path)
        elif path.is_file():
            what = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            what = "dir"
        out[str(path.relative_to(root))] = (st.st_mode, st.st_uid, st.st_gid, what)
    return out


def kiosk_ids(root: Path) -> tuple[int, int, list[int]]:
    """uid, gid and supplementary groups of the created user, from the tree's own passwd and group."""
    user = next(line.split(":") for line in (root / "etc/passwd").read_text().splitlines()
                if line.startswith("sbk-kiosk:"))
    groups = [int(f[2]) for f in (line.split(":") for line in (root / "etc/group").read_text().splitlines())
              if "sbk-kiosk" in f[3].split(",")]
    return int(user[2]), int(user[3]), groups


def bare_install(*args: str) -> subprocess.CompletedProcess:
    """The installer as a technician runs it on a fresh kiosk: the system's Python, none of the kiosk's
    packages (no user site, no environment), from the repository's folder."""
    return subprocess.run(["/usr/bin/python3", "-s", "-E", "-m", "provisioning.install", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=480)


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kiosk-root")
    assert subprocess.run(["/usr/bin/python3", "-s", "-E", "-c", "import serial"]).returncode != 0, \
        "the system Python has the kiosk's packages: this would not show the installer runs without them"
    done = bare_install("--root", str(root), "--demo")
    assert done.returncode == 0, done.stderr + done.stdout
    return root


def test_install_lays_out_the_kiosk_with_its_own_user_and_private_keys_folder(tree):
    uid, gid, groups = kiosk_ids(tree)
    member_of = {f[0] for f in (line.split(":") for line in (tree / "etc/group").read_text().splitlines())
                 if "sbk-kiosk" in f[3].split(",")}
    assert uid != 0 and member_of == {"dialout", "video", "audio", "render"} and len(groups) == 4

    def mode_owner(path):
        st = (tree / path).stat()
        return oct(st.st_mode & 0o777), st.st_uid, st.st_gid
    assert mode_owner("etc/sbk-kiosk") == ("0o750", 0, gid)           # the config: the kiosk reads, root writes
    assert mode_owner("etc/sbk-kiosk/kiosk.toml") == ("0o640", 0, gid)
    assert mode_owner("etc/sbk-kiosk/keys") == ("0o700", uid, gid)     # keys: the kiosk user only
    assert mode_owner("var/lib/sbk-kiosk") == ("0o750", uid, gid)
    assert 'url = "embedded"' in (tree / "etc/sbk-kiosk/kiosk.toml").read_text()

    venv = tree / "opt/sbk-kiosk/venv"
    assert (venv / "bin/sbk-kiosk").read_text().splitlines()[0] == "#!/opt/sbk-kiosk/venv/bin/python"
    for script in (venv / "bin").iterdir():           # built inside the tree, runs from /opt: no tree path left
        if script.is_file() and not script.is_symlink():
            assert str(tree).encode() not in script.read_bytes(), script
    assert os.readlink(tree / "usr/local/bin/sbk-kiosk") == "/opt/sbk-kiosk/venv/bin/sbk-kiosk"
    assert len(list((tree / "opt/sbk-kiosk/share/sample-faces").iterdir())) >= 6     # the demo's photographs

    units = tree / "etc/systemd/system"
    app = (units / "sbk-kiosk.service").read_text()
    for line in ("Type=notify", "WatchdogSec=30", "Restart=always", "StateDirectory=sbk-kiosk", "User=sbk-kiosk",
                 "ExecStart=/opt/sbk-kiosk/venv/bin/sbk-kiosk --config /etc/sbk-kiosk/kiosk.toml",
                 "NoNewPrivileges=yes", "ProtectSystem=strict"):
        assert line in app.splitlines(), line
    assert "PrivateDevices=yes" not in app                       # the devices must stay reachable
    for unit in ("sbk-kiosk.service", "sbk-kiosk-display.service"):          # started at boot, no login
        assert os.readlink(units / "graphical.target.wants" / unit) == f"/etc/systemd/system/{unit}"
    assert os.readlink(units / "default.target").endswith("graphical.target")
    display = (units / "sbk-kiosk-display.service").read_text()
    assert "-s 0 -dpms" in display and "-nolisten tcp" in display and "Conflicts=getty@tty1.service" in display
    xorg = (tree / "etc/X11/xorg.conf.d/10-sbk-kiosk.conf").read_text()
    assert 'Option "BlankTime" "0"' in xorg and 'Option "DontZap" "true"' in xorg
    assert 'subject.user == "sbk-kiosk"' in (tree / "etc/polkit-1/rules.d/50-sbk-kiosk.rules").read_text()
    assert "Storage=persistent" in (tree / "etc/systemd/journald.conf.d/50-sbk-kiosk.conf").read_text()
    listed = (tree / "opt/sbk-kiosk/share/debian-packages.txt").read_text().split()
    assert {"pcscd", "xserver-xorg-core", "fonts-noto-cjk"} <= set(listed) and "xvfb" not in listed


def test_a_second_install_changes_nothing(tree):
    before = snapshot(tree)
    done = provision("install", "--root", str(tree), "--demo")
    assert done.returncode == 0, done.stderr
    steps = [line for line in done.stdout.splitlines() if line.startswith("  ") and " run " not in f" {line.split()[0]} "]
    assert steps and all(line.rstrip().endswith("(unchanged)") for line in steps), done.stdout
    after = snapshot(tree)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed <= {"etc/.pwd.lock"}, changed                 # systemd-sysusers takes its lock file again


def test_a_dry_run_says_what_it_would_do_and_writes_nothing(tmp_path):
    done = provision("install", "--root", str(tmp_path), "--demo", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "would write     /etc/systemd/system/sbk-kiosk.service  (new)" in done.stdout
    assert "would venv      /opt/sbk-kiosk/venv  (new)" in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_on_a_bare_system_python_a_config_that_is_not_toml_is_refused_before_anything_is_done(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('kiosk_id = "XA\n')
    done = bare_install("--root", str(tmp_path / "root"), "--config", str(bad))
    assert done.returncode == 1 and "the config is not valid" in done.stderr
    assert not (tmp_path / "root").exists()


def test_install_without_a_config_says_what_to_give(tmp_path):
    done = provision("install", "--root", str(tmp_path), "--dry-run")
    assert done.returncode == 1 and "give --config FILE" in done.stderr and "--demo" in done.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('kiosk_id = "a b"\n')
    done = provision("install", "--root", str(tmp_path), "--dry-run", "--config", str(bad))
    assert done.returncode == 1 and "kiosk_id" in done.stderr


def in_the_tree(tree: Path, command: str) -> list[str]:
    """A shell command in a mount namespace where the tree's kiosk folders are where the unit names them
    (the folders are made on this machine if missing, and removed again by the caller)."""
    binds = " && ".join(f"mount --bind {tree}{place} {place}" for place in BOUND)
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", f"{binds} && {command}"]


@pytest.fixture
def mount_points():
    made = [place for place in BOUND if not os.path.exists(place)]
    for place in made:
        os.makedirs(place)
    yield
    for place in reversed(made):
        os.rmdir(place)


def test_systemd_analyze_verify_accepts_the_units(tree, mount_points):
    if not os.path.exists("/usr/lib/xorg/Xorg"):
        pytest.fail("xserver-xorg-core is a kiosk run-time package (provisioning/debian/runtime.txt): make setup installs it")
    units = tree / "etc/systemd/system"
    done = subprocess.run(in_the_tree(tree, f"systemd-analyze verify --man=no {units}/sbk-kiosk.service "
                                            f"{units}/sbk-kiosk-display.service"),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def unit_setting(unit: str, key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith(key + "=")]


@pytest.fixture
def screen():
    """An X server of this test's own (the kiosk user has no key to the shared one)."""
    number = next(n for n in range(140, 200) if not os.path.exists(f"/tmp/.X11-unix/X{n}"))
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-ac"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not os.path.exists(f"/tmp/.X11-unix/X{number}"):
        assert time.monotonic() < deadline and server.poll() is None, "Xvfb did not start"
        time.sleep(0.1)
    yield f":{number}"
    server.terminate()
    server.wait(10)


class NotifySocket:
    """What systemd listens on for a Type=notify unit: an abstract datagram socket, read here."""

    def __init__(self):
        self.name = f"@sbk-test-notify-{os.getpid()}-{time.monotonic_ns()}"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + self.name[1:])
        self.messages: list[str] = []

    def until(self, line: str, timeout: float) -> list[str]:
        """Messages until one holds ``line``; fails at the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                message = self.sock.recv(4096).decode()
            except socket.timeout:
                break
            self.messages.append(message)
            if line in message.splitlines():
                return self.messages
        raise AssertionError(f"no {line} in {timeout} s; got {self.messages}")

    def close(self):
        self.sock.close()


def run_the_unit(tree: Path, display: str, notify: NotifySocket) -> subprocess.Popen:
    """The unit's ExecStart with its Environment, as its User= (from the tree's passwd), with what systemd
    would add: NOTIFY_SOCKET, WATCHDOG_USEC (2 s: pings every second), the runtime directory."""
    unit = (tree / "etc/systemd/system/sbk-kiosk.service").read_text()
    uid, gid, groups = kiosk_ids(tree)
    env = dict(item.split("=", 1) for line in unit_setting(unit, "Environment") for item in line.split())
    env.update(DISPLAY=display, NOTIFY_SOCKET=notify.name, WATCHDOG_USEC="2000000", PATH="/usr/bin:/bin")
    runtime = Path(env["TMPDIR"])                           # RuntimeDirectory=sbk-kiosk
    runtime.mkdir(exist_ok=True)
    os.chown(runtime, uid, gid)
    [command] = unit_setting(unit, "ExecStart")
    setpriv = f"setpriv --reuid={uid} --regid={gid} --groups={','.join(map(str, groups))}"
    environment = " ".join(f"{k}={v}" for k, v in env.items())
    return subprocess.Popen(in_the_tree(tree, f"exec {setpriv} env -i {environment} {command}"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(process: subprocess.Popen, notify: NotifySocket) -> str:
    process.send_signal(signal.SIGTERM)                     # systemctl stop
    notify.until("STOPPING=1", 30)
    output, _ = process.communicate(timeout=30)
    shutil.rmtree("/run/sbk-kiosk", ignore_errors=True)
    return output


def process_uid(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))


def test_the_units_command_as_the_kiosk_user_starts_the_kiosk_and_pings_the_watchdog(tree, mount_points, screen):
    uid = kiosk_ids(tree)[0]
    notify = NotifySocket()
    process = run_the_unit(tree, screen, notify)
    try:
        messages = notify.until("READY=1", 150)
        assert "STATUS=serving as DEMO-0001" in messages[-1].splitlines()
        assert process_uid(process.pid) == uid                   # the kiosk user, not root
        notify.messages.clear()
        notify.until("WATCHDOG=1", 5)
        notify.until("WATCHDOG=1", 5)                            # pinged again from the UI clock
    finally:
        output = stop(process, notify) if process.poll() is None else process.communicate()[0]
    assert process.returncode == 0, output
    log = (tree / "var/lib/sbk-kiosk/kiosk.log").read_text()
    assert "kiosk ready" in log and "systemd watchdog: pinged every 1.0 s" in log
    assert (tree / "var/lib/sbk-kiosk/journal.db").stat().st_uid == uid       # its state is its own


def test_a_kiosk_installed_with_a_real_config_but_not_enrolled_says_so_and_stays_alive(tree, mount_points, screen):
    example = ROOT / "provisioning/kiosk.example.toml"
    done = provision("install", "--root", str(tree), "--config", str(example), "--replace-config")
    assert done.returncode == 0, done.stderr
    assert "venv      /opt/sbk-kiosk/venv  (unchanged)" in done.stdout
    assert (tree / "etc/sbk-kiosk/kiosk.toml").read_text() == example.read_text()
    assert 'url = "embedded"' in (tree / "etc/sbk-kiosk/kiosk.toml.before-install").read_text()
    notify = NotifySocket()
    process = run_the_unit(tree, screen, notify)
    try:
        messages = notify.until("READY=1", 150)     # up, on the out-of-service screen: no start-timeout loop
        status = next(line for line in messages[-1].splitlines() if line.startswith("STATUS="))
        assert status.startswith("STATUS=out of service:") and "enroll" in status, status
        notify.until("WATCHDOG=1", 5)
    finally:
        output = stop(process, notify) if process.poll() is None else process.communicate()[0]
    assert "cannot start:" in output and "/etc/sbk-kiosk/keys/kiosk-key.pem" in output


def test_uninstall_keeps_config_keys_and_state_and_a_purge_waits_for_unsettled_transactions(tree):
    journal = tree / "var/lib/sbk-kiosk/journal.db"
    with sqlite3.connect(journal) as db:
        db.execute("INSERT INTO transactions (txn, kind, started_at, context) VALUES ('T1', 'issue', '2026-12-02', '{}')")
    done = provision("uninstall", "--root", str(tree), "--purge")
    assert done.returncode == 1 and "1 unsettled transaction" in done.stderr
    assert (tree / "opt/sbk-kiosk/venv").exists()                # nothing removed

    done = provision("uninstall", "--root", str(tree))
    assert done.returncode == 0, done.stderr
    for gone in ("opt/sbk-kiosk", "etc/systemd/system/sbk-kiosk.service", "etc/udev/rules.d/70-sbk-kiosk.rules",
                 "etc/systemd/system/graphical.target.wants/sbk-kiosk.service", "usr/local/bin/sbk-kiosk"):
        assert not os.path.lexists(tree / gone), gone
    for kept in ("etc/sbk-kiosk/kiosk.toml", "etc/sbk-kiosk/keys", "var/lib/sbk-kiosk/journal.db"):
        assert (tree / kept).exists(), kept
