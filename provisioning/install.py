"""``sbk-provision install`` and ``uninstall``: lay out a kiosk on Debian 12 / Ubuntu 24.04, or into a folder
(``--root DIR``) that becomes an image or is checked by tests.

On a fresh kiosk nothing but the system's Python is there, so this module needs only the standard library:
``sudo python3 -m provisioning.install …`` from a copy of the repository. The config is checked by the
kiosk's own code (kiosk.config) in process when that can be imported, else by the new venv once it is built,
before the config is put in place.

What it makes (the contents are provisioning.layout's):
  /opt/sbk-kiosk/venv                  the application in its own venv; /usr/local/bin/sbk-kiosk, sbk-provision
  sbk-kiosk (system user, sysusers.d)  in the groups its devices need
  /etc/sbk-kiosk/kiosk.toml            the config (the kiosk's default), kept as the technician left it
  /etc/sbk-kiosk/keys/                 the kiosk's and the pinned service key, readable by the kiosk user only
  /var/lib/sbk-kiosk                   state: journal, logs, caches
  sbk-kiosk.service, sbk-kiosk-display.service   the kiosk session, started at boot with no login
  X server settings, udev rules, polkit rule, journald drop-in

Every step says what it did: ``new``, ``changed``, ``unchanged`` (run it twice: the second run changes
nothing), or with ``--dry-run`` what it would do and nothing else. The venv is built beside the old one and
swapped in whole, so a power cut mid-install leaves the previous kiosk runnable. What it wrote is listed in
/opt/sbk-kiosk/install-manifest.json, which ``uninstall`` follows: it removes what install wrote and left
unchanged, keeps the config, keys and state unless ``--purge`` (refused while the journal holds an unsettled
transaction: that is a card or a payment someone must still settle).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from provisioning import layout as L

PACKAGE_LISTS = Path(__file__).parent / "debian"
CHECKOUT = Path(__file__).resolve().parent.parent          # the project, when run from a checkout
MANIFEST = "install-manifest.json"
UNITS = (L.DISPLAY_UNIT, L.APP_UNIT)


class InstallError(Exception):
    """Install cannot go on; the message says what to do."""


@dataclasses.dataclass
class Options:
    root: str = "/"
    dry_run: bool = False
    source: str = str(CHECKOUT)          # the project folder or a built wheel
    python: str = "/usr/bin/python3"     # the system's Python (python3-venv), not a developer's
    wheels: str | None = None            # install offline from this wheel folder
    config: str | None = None            # the kiosk's config, installed when none is there yet
    replace_config: bool = False
    demo: bool = False
    apt: bool = True
    start: bool = True
    layout: L.Layout = dataclasses.field(default_factory=L.Layout)


def packages(*lists: str) -> list[str]:
    names: list[str] = []
    for name in lists:
        for line in (PACKAGE_LISTS / f"{name}.txt").read_text(encoding="utf-8").splitlines():
            names += line.split("#")[0].split()
    return names


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Installer:
    def __init__(self, options: Options, out=print):
        self.o, self.out = options, out
        self.L = options.layout
        self.real = os.path.abspath(options.root) == "/"
        self.written: dict[str, dict] = {}       # manifest: path → {sha256, conffile}

    # -- the tree ------------------------------------------------------------------------------------------
    def host(self, path: str) -> Path:
        """Where a path of the installed kiosk lies on this machine (inside --root)."""
        return Path(self.o.root) / path.lstrip("/")

    def _say(self, what: str, path: str, state: str) -> None:
        self.out(f"  {'would ' if self.o.dry_run else ''}{what:<9} {path}  ({state})")

    def ids(self) -> tuple[int, int] | None:
        """The kiosk user's uid and gid in the target tree (its /etc/passwd), None before it exists."""
        passwd = self.host("/etc/passwd")
        if self.real:
            try:
                entry = pwd.getpwnam(self.L.user)
                return entry.pw_uid, entry.pw_gid
            except KeyError:
                return None
        if not passwd.exists():
            return None
        for line in passwd.read_text(encoding="utf-8").splitlines():
            fields = line.split(":")
            if len(fields) >= 4 and fields[0] == self.L.user:
                return int(fields[2]), int(fields[3])
        return None

    def _own(self, path: Path, mode: int, owner: str) -> None:
        """Mode and owner ("root", "user" or "root:user") of a path, set on every run (idempotent repair)."""
        os.chmod(path, mode, follow_symlinks=False)
        ids = self.ids()
        if ids is None or os.geteuid() != 0:
            return
        uid = ids[0] if owner == "user" else 0
        gid = ids[1] if owner in ("user", "root:user") else 0
        os.chown(path, uid, gid, follow_symlinks=False)

    def directory(self, path: str, mode: int, owner: str = "root") -> None:
        target = self.host(path)
        state = "unchanged" if target.is_dir() else "new"
        self._say("directory", path, state)
        if not self.o.dry_run:
            target.mkdir(parents=True, exist_ok=True)
            self._own(target, mode, owner)

    def file(self, path: str, text: str | bytes, mode: int = 0o644, owner: str = "root",
             conffile: bool = False) -> str:
        """Write a file unless it already holds exactly this; a conffile that exists is never overwritten."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        target = self.host(path)
        old = target.read_bytes() if target.is_file() else None
        if old == data:
            state = "unchanged"
        elif old is not None and conffile:
            state = "kept: yours"
        else:
            state = "new" if old is None else "changed"
        self._say("write", path, state)
        if not self.o.dry_run:
            if state in ("new", "changed"):
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(target.name + ".sbk-new")
                tmp.write_bytes(data)
                os.replace(tmp, target)
            self._own(target, mode, owner)
            if state != "kept: yours":
                self.written[path] = {"sha256": _sha256(data), "conffile": conffile}
        return state

    def symlink(self, path: str, to: str) -> None:
        target = self.host(path)
        state = "unchanged" if target.is_symlink() and os.readlink(target) == to else (
            "changed" if target.is_symlink() or target.exists() else "new")
        self._say("link", f"{path} -> {to}", state)
        if not self.o.dry_run:
            if state != "unchanged":
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.is_symlink() or target.exists():
                    target.unlink()
                os.symlink(to, target)
            self.written[path] = {"symlink": to}

    def run(self, argv: list[str], what: str) -> str:
        self.out(f"  {'would ' if self.o.dry_run else ''}run       {' '.join(argv)}  ({what})")
        if self.o.dry_run:
            return ""
        done = subprocess.run(argv, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise InstallError(f"{what}: `{' '.join(argv)}` failed (exit {done.returncode}): " + " / ".join(tail))
        return done.stdout

    def _root_args(self) -> list[str]:
        return [] if self.real else [f"--root={os.path.abspath(self.o.root)}"]

    # -- the steps -----------------------------------------------------------------------------------------
    def install(self) -> None:
        self.check()
        self.out(f"installing the kiosk into {os.path.abspath(self.o.root)}" + (" (dry run)" if self.o.dry_run else ""))
        self.system_packages()
        self.user()
        self.directories()
        self.application()
        self.config()
        self.session()
        self.enable()
        self.write_manifest()
        self.out("done" if not self.o.dry_run else "dry run: nothing was changed")

    def check(self) -> None:
        if not self.o.dry_run and os.geteuid() != 0:
            raise InstallError("run it as root (sudo sbk-provision install …): it creates a user and system files")
        if not (self.o.config or self.o.demo or self.host(self.L.config_file).exists()):
            raise InstallError(f"no config for this kiosk: give --config FILE (start from "
                               f"{Path(__file__).parent / 'kiosk.example.toml'}), or --demo for a demo kiosk")
        if self.o.config and self.o.demo:
            raise InstallError("--config and --demo: choose one")
        if self.o.config:
            self._valid_config(self.o.config)
        if not os.path.exists(self.o.source):
            raise InstallError(f"the kiosk's source {self.o.source} is not there (a checkout or a wheel)")
        if not os.access(self.o.python, os.X_OK):
            raise InstallError(f"{self.o.python} not found: install python3 and python3-venv")

    def _valid_config(self, path: str, venv_python: Path | None = None) -> None:
        """The kiosk's own check of a config (every key, every value). Here when the kiosk's code imports;
        on a bare system Python, by the venv just built (``venv_python``); with neither, TOML only."""
        if venv_python is not None:
            done = subprocess.run([str(venv_python), "-c", "import sys; from kiosk.config import ConfigError, load\n"
                                   "try: load(sys.argv[1])\nexcept ConfigError as e: sys.exit(str(e))", path],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                raise InstallError(f"the config is not valid: {done.stderr.strip().splitlines()[-1]}")
            return
        try:
            from kiosk.config import ConfigError, load
        except ImportError:                  # a bare system Python: TOML now, every value once the venv is there
            import tomllib
            try:
                with open(path, "rb") as fh:
                    tomllib.load(fh)
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise InstallError(f"the config is not valid: {exc}") from None
            self._config_checked = False
            return
        try:
            load(path)
        except ConfigError as exc:
            raise InstallError(f"the config is not valid: {exc}") from None
        self._config_checked = True

    def system_packages(self) -> None:
        needed = packages("runtime", "build")
        if not self.real:        # an image: its builder installs them (the list goes with the tree)
            return
        missing = [p for p in needed if subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True).stdout.find("ok installed") < 0]
        if not missing:
            self.out(f"  packages  {len(needed)} needed, all installed")
        elif not self.o.apt:
            raise InstallError(f"missing packages (and --no-apt): apt-get install {' '.join(missing)}")
        else:
            self.run(["apt-get", "update", "-qq"], "package lists")
            self.run(["apt-get", "install", "-y", "-qq", *missing], f"{len(missing)} packages")

    def user(self) -> None:
        self.file(f"/etc/sysusers.d/{self.L.user}.conf", L.sysusers(self.L))
        if not self.o.dry_run:
            self.host("/etc").mkdir(parents=True, exist_ok=True)
        args = [] if not self.real else [f"/etc/sysusers.d/{self.L.user}.conf"]
        self.run(["systemd-sysusers", *self._root_args(), *args], f"the {self.L.user} user")

    def directories(self) -> None:
        self.directory(self.L.prefix, 0o755)
        self.directory(self.L.config_dir, 0o750, "root:user")
        self.directory(self.L.keys_dir, 0o700, "user")
        self.directory(self.L.state_dir, 0o750, "user")

    def config(self) -> None:
        if self.o.demo:
            text = L.demo_config(self.L)
        elif self.o.config:
            if not getattr(self, "_config_checked", True) and not self.o.dry_run:
                self._valid_config(self.o.config, self.host(f"{self.L.venv}/bin/python"))
            text = Path(self.o.config).read_text(encoding="utf-8")
        else:
            self._say("keep", self.L.config_file, "yours")
            return
        existing = self.host(self.L.config_file)
        if existing.exists() and existing.read_text(encoding="utf-8") != text and self.o.replace_config:
            if not self.o.dry_run:
                shutil.copy2(existing, str(existing) + ".before-install")
            self.out(f"  keep      {self.L.config_file}.before-install  (the config it replaces)")
            existing.unlink() if not self.o.dry_run else None
        state = self.file(self.L.config_file, text, 0o640, "root:user", conffile=True)
        if state == "kept: yours":
            self.out("            (a config is there already; --replace-config puts this one in its place)")

    def application(self) -> None:
        fingerprint = self._fingerprint()
        venv = self.L.venv
        stamp = self.host(f"{venv}/.sbk-installed")
        current = stamp.exists() and stamp.read_text(encoding="ascii").strip() == fingerprint
        self._say("venv", venv, "unchanged" if current else ("changed" if stamp.exists() else "new"))
        if not current and not self.o.dry_run:
            self._build_venv(fingerprint)
        for command in ("sbk-kiosk", "sbk-provision"):
            self.symlink(f"/usr/local/bin/{command}", f"{venv}/bin/{command}")
        self.file(f"{self.L.prefix}/share/debian-packages.txt", "\n".join(packages("runtime", "build")) + "\n")
        readme = CHECKOUT / "README.md"
        if readme.exists():
            self.file(f"{self.L.prefix}/README.md", readme.read_bytes())
        if self.o.demo:
            self._sample_faces()

    def _fingerprint(self) -> str:
        """What the venv was built from: the source's files (or wheel), the Python, the wheel folder."""
        digest = hashlib.sha256()
        source = Path(self.o.source)
        files = [source] if source.is_file() else sorted(
            p for top in ("pyproject.toml", "kiosk", "provisioning") for p in
            ([source / top] if (source / top).is_file() else (source / top).rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
        for path in files:
            digest.update(str(path.relative_to(source) if path != source else path.name).encode())
            digest.update(path.read_bytes())
        digest.update(os.path.realpath(self.o.python).encode())
        digest.update(str(self.o.wheels).encode())
        return digest.hexdigest()

    def _build_venv(self, fingerprint: str) -> None:
        final = self.L.venv
        building = self.host(final + ".new")
        if building.exists():
            shutil.rmtree(building)                          # a build a power cut interrupted
        self.run([self.o.python, "-m", "venv", str(building)], "the venv")
        pip = [str(building / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        if self.o.wheels:
            pip += ["--no-index", "--find-links", self.o.wheels]
        self.run([*pip, self.o.source], "the kiosk and its Python packages")
        relocate(building, str(building), final)
        (building / ".sbk-installed").write_text(fingerprint + "\n", encoding="ascii")
        old = self.host(final)
        retired = self.host(final + ".old")
        if retired.exists():
            shutil.rmtree(retired)
        if old.exists():
            os.rename(old, retired)
        os.rename(building, old)                             # the new venv in place in one step
        if retired.exists():
            shutil.rmtree(retired)

    def _sample_faces(self) -> None:
        """The demo's simulated camera and ID cards show real photographs (fetched, never committed)."""
        target = self.host(self.L.sample_faces)
        local = CHECKOUT / "var" / "sample-faces"
        photos = sorted(p for p in local.iterdir() if p.is_file()) if local.is_dir() else []
        if not photos:
            self._say("photos", self.L.sample_faces, "fetched from the package registry")
            self.o.dry_run or self.run([sys.executable, str(CHECKOUT / "scripts" / "fetch_sample_faces.py"),
                                        str(target)], "sample photographs")
            return
        stale = [p for p in photos if not (target / p.name).is_file()
                 or (target / p.name).read_bytes() != p.read_bytes()]
        self._say("photos", self.L.sample_faces, f"{len(stale)} of {len(photos)} new" if stale else "unchanged")
        if not self.o.dry_run and stale:
            target.mkdir(parents=True, exist_ok=True)
            for photo in stale:
                shutil.copyfile(photo, target / photo.name)

    def session(self) -> None:
        units = "/etc/systemd/system"
        self.file(f"{units}/{L.DISPLAY_UNIT}", L.display_unit(self.L))
        self.file(f"{units}/{L.APP_UNIT}", L.app_unit(self.L))
        self.file("/etc/X11/xorg.conf.d/10-sbk-kiosk.conf", L.xorg_conf(self.L))
        self.file("/etc/udev/rules.d/70-sbk-kiosk.rules", L.udev_rules(self.L))
        self.file("/etc/polkit-1/rules.d/50-sbk-kiosk.rules", L.polkit_rule(self.L))
        self.file("/etc/systemd/journald.conf.d/50-sbk-kiosk.conf", L.journald_conf(self.L))

    def enable(self) -> None:
        if self.real:
            self.run(["systemctl", "daemon-reload"], "systemd reads the units")
        self.run(["systemctl", *self._root_args(), "enable", *UNITS], "started at boot")
        if not self.real:        # what set-default does, without needing the image's own systemd units here
            self.symlink("/etc/systemd/system/default.target", "/usr/lib/systemd/system/graphical.target")
            return
        self.run(["systemctl", "set-default", "graphical.target"], "boot to the kiosk screen")
        self.run(["udevadm", "control", "--reload-rules"], "udev reads the rules")
        self.run(["udevadm", "trigger", "--action=add", "--subsystem-match=tty", "--subsystem-match=usb",
                  "--subsystem-match=usbmisc", "--subsystem-match=video4linux"], "the devices get their names")
        self.run(["systemctl", "restart", "systemd-journald"], "the journal kept across reboots")
        if self.o.start:
            self.run(["systemctl", "restart", *UNITS], "the kiosk starts")

    def write_manifest(self) -> None:
        if self.o.dry_run:
            return
        path = self.host(f"{self.L.prefix}/{MANIFEST}")
        previous = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        files = {**previous.get("files", {}), **self.written}
        manifest = {"layout": dataclasses.asdict(self.L), "units": list(UNITS), "files": files}
        path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False, default=list) + "\n", encoding="utf-8")

    # -- uninstall -----------------------------------------------------------------------------------------
    def uninstall(self, purge: bool = False, force: bool = False) -> None:
        if not self.o.dry_run and os.geteuid() != 0:
            raise InstallError("run it as root (sudo sbk-provision uninstall)")
        path = self.host(f"{self.L.prefix}/{MANIFEST}")
        if not path.exists():
            raise InstallError(f"no kiosk installed here ({self.L.prefix}/{MANIFEST} is not there)")
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if purge and not force:
            unsettled = unsettled_transactions(self.host(f"{self.L.state_dir}/journal.db"))
            if unsettled:
                raise InstallError(f"the journal holds {unsettled} unsettled transaction(s) (a card or a payment "
                                   f"to settle): settle them in staff mode first, or --force to lose them")
        self.out(f"removing the kiosk from {os.path.abspath(self.o.root)}" + (" (dry run)" if self.o.dry_run else ""))
        if self.real:
            self.run(["systemctl", "disable", "--now", *manifest["units"]], "stopped, not started at boot")
        else:
            self.run(["systemctl", *self._root_args(), "disable", *manifest["units"]], "not started at boot")
        for name, entry in sorted(manifest["files"].items()):
            if entry.get("conffile") and not purge:
                self._say("keep", name, "config")
                continue
            target = self.host(name)
            if "symlink" in entry:
                if target.is_symlink() and os.readlink(target) == entry["symlink"]:
                    self._say("remove", name, "link")
                    self.o.dry_run or target.unlink()
                continue
            if not target.is_file():
                continue
            if _sha256(target.read_bytes()) != entry["sha256"] and not purge:
                self._say("keep", name, "changed since install")
                continue
            self._say("remove", name, "installed")
            self.o.dry_run or target.unlink()
        for folder in [self.L.prefix] + ([self.L.config_dir, self.L.state_dir] if purge else []):
            self._say("remove", folder, "folder")
            if not self.o.dry_run:
                shutil.rmtree(self.host(folder), ignore_errors=True)
        if self.real:
            self.run(["systemctl", "daemon-reload"], "systemd forgets the units")
            self.run(["udevadm", "control", "--reload-rules"], "udev forgets the rules")
        self.out(f"the {self.L.user} user stays (files it owned keep their owner); "
                 + ("config, keys and state removed" if purge else
                    f"{self.L.config_dir} and {self.L.state_dir} kept (--purge removes them)"))


def relocate(venv: Path, built_at: str, final: str) -> None:
    """A venv built at one path made to run from another: pip writes its absolute path into every script's
    first line and the activate scripts; Python itself finds its prefix from pyvenv.cfg at run time."""
    old, new = built_at.encode(), final.encode()
    for path in [*(venv / "bin").iterdir(), venv / "pyvenv.cfg"]:
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        if old in data and b"\0" not in data[:4096]:          # text only: never a compiled program
            path.write_bytes(data.replace(old, new))


def unsettled_transactions(journal: Path) -> int:
    if not journal.exists():
        return 0
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(*) FROM transactions WHERE finished_at IS NULL").fetchone()[0]


def parse_device(text: str) -> L.UsbDevice:
    """``ROLE=usb:VID:PID[:SERIAL]`` as given on the command line (``detect`` prints the three)."""
    role, _, spec = text.partition("=")
    kind, *parts = spec.split(":")
    if kind != "usb" or len(parts) not in (2, 3):
        raise InstallError(f"--device {text!r}: ROLE=usb:VID:PID[:SERIAL], e.g. idreader=usb:1a86:7523:A5C3")
    try:
        return L.check_device(L.UsbDevice(role, parts[0].lower(), parts[1].lower(), parts[2] if len(parts) == 3 else ""))
    except ValueError as exc:
        raise InstallError(f"--device {text!r}: {exc}") from None


def add_arguments(parser) -> None:
    parser.add_argument("--root", default="/", help="install into this folder (an image, a test) instead of /")
    parser.add_argument("--dry-run", action="store_true", help="say what it would do, change nothing")
    parser.add_argument("--config", help="this kiosk's kiosk.toml (installed when none is there yet)")
    parser.add_argument("--replace-config", action="store_true", help="put --config in place of the one there")
    parser.add_argument("--demo", action="store_true", help="a demo kiosk: simulated devices, service in process")
    parser.add_argument("--device", action="append", default=[], metavar="ROLE=usb:VID:PID[:SERIAL]",
                        help="a stable /dev/sbk/ROLE name for idreader, issuer, printer or camera (repeat; "
                             "none given: the devices the last install was given)")
    parser.add_argument("--touch-rotation", type=int, choices=sorted(L.ROTATIONS),
                        help="the touch panel is mounted turned by this many degrees (default: as installed, or 0)")
    parser.add_argument("--source", default=str(CHECKOUT), help="the kiosk to install: a checkout or a wheel")
    parser.add_argument("--python", default="/usr/bin/python3", help="the Python the venv is made from")
    parser.add_argument("--wheels", help="install the Python packages offline from this folder of wheels")
    parser.add_argument("--no-apt", action="store_true", help="do not install missing system packages")
    parser.add_argument("--no-start", action="store_true", help="do not start the kiosk now")


def main(argv=None) -> int:
    """``python3 -m provisioning.install [uninstall] …``: the installer on a bare system Python."""
    import argparse
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["uninstall"]:
        parser = argparse.ArgumentParser(prog="python3 -m provisioning.install uninstall")
        add_uninstall_arguments(parser)
        return main_uninstall(parser.parse_args(argv[1:]))
    parser = argparse.ArgumentParser(prog="python3 -m provisioning.install", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return main_install(parser.parse_args(argv))


def add_uninstall_arguments(parser) -> None:
    parser.add_argument("--root", default="/")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--purge", action="store_true", help="also remove the config, keys and state")
    parser.add_argument("--force", action="store_true", help="purge even with unsettled transactions in the journal")


def previous_layout(root: str) -> dict:
    """What the last install was told (devices, touch rotation): a run that names none keeps them."""
    path = Path(root) / L.PREFIX.lstrip("/") / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("layout", {})
    except (OSError, ValueError):
        return {}


def main_install(args) -> int:
    try:
        before = previous_layout(args.root)
        devices = tuple(parse_device(d) for d in args.device) or tuple(
            L.check_device(L.UsbDevice(**d)) for d in before.get("devices", []))
        rotation = args.touch_rotation if args.touch_rotation is not None else before.get("touch_rotation", 0)
        options = Options(root=args.root, dry_run=args.dry_run, source=args.source, python=args.python,
                          wheels=args.wheels, config=args.config, replace_config=args.replace_config,
                          demo=args.demo, apt=not args.no_apt, start=not args.no_start,
                          layout=L.Layout(devices=devices, touch_rotation=rotation))
        Installer(options).install()
    except (InstallError, ValueError) as exc:
        print(f"install stopped: {exc}", file=sys.stderr)
        return 1
    return 0


def main_uninstall(args) -> int:
    try:
        Installer(Options(root=args.root, dry_run=args.dry_run)).uninstall(purge=args.purge, force=args.force)
    except InstallError as exc:
        print(f"uninstall stopped: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
