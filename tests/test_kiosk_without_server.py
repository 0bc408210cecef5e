"""The kiosk side never imports the service's server stack: a kiosk that talks to a provincial service runs
without fastapi, uvicorn or the metrics library. Every kiosk module is imported in a fresh interpreter in which
those packages cannot be imported at all; only the reference service's own modules (still under
kiosk/backend, next to move into a package of their own) are left out."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the reference service: what runs on the service's side (kiosk/backend/client.py is the kiosk's)
SERVICE_SIDE = ("__main__", "auth", "card_states", "contact_codes", "keycustody", "observability", "operator_view",
                "operators", "pin_outcomes", "rules", "seed", "server", "service", "sms", "staff", "store")
CHECK = textwrap.dedent("""
    import importlib, importlib.abc, pkgutil, sys
    BLOCKED = ("fastapi", "uvicorn", "starlette", "prometheus_client", "httptools", "uvloop", "psycopg", "psycopg_pool")

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"server dependency {name!r} imported")

    sys.meta_path.insert(0, Block())
    service_side = {"kiosk.backend." + m for m in sys.argv[1].split(",")}
    import kiosk
    names = [i.name for i in pkgutil.walk_packages(kiosk.__path__, "kiosk.")
             if i.name not in service_side and not i.name.endswith("__main__")]
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:
            print(f"FAIL {name}: {type(exc).__name__}: {exc}")
    print("imported", len(names))
""")


def test_every_kiosk_module_imports_with_the_server_stack_absent(display, tmp_path):
    env = {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1", "KIVY_HOME": str(tmp_path / "kivy")}
    out = subprocess.run([sys.executable, "-c", CHECK, ",".join(SERVICE_SIDE)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    failures = [line for line in out.stdout.splitlines() if line.startswith("FAIL")]
    assert not failures, "\n".join(failures)
    imported = int(out.stdout.split("imported ")[-1])
    assert imported > 100                       # the walk found the kiosk's modules, not an empty package


def test_the_check_catches_a_server_import():
    out = subprocess.run([sys.executable, "-c", CHECK.replace('import kiosk\n', 'import kiosk\nimport fastapi\n'),
                          ",".join(SERVICE_SIDE)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "server dependency 'fastapi' imported" in out.stderr
