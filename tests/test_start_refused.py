"""A kiosk that cannot trust its service does not start: its own key, the service key pinned at enrolment and
its config are checked first, and the answer-signature check can never be skipped. `enroll` writes the keys
where the config reads them."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.backend.client import ServiceClient, ServiceError
from kiosk.config import load
from kiosk.errors import StartRefused
from kiosk.security.sm2 import PrivateKey

ROOT = pathlib.Path(__file__).parent.parent


def write_config(tmp_path, url: str) -> pathlib.Path:
    """A kiosk with simulated devices that talks to the service at ``url`` (not the embedded one)."""
    state = tmp_path / "state"
    keys = tmp_path / "keys"
    path = tmp_path / "kiosk.toml"
    path.write_text(f'kiosk_id = "HALL-01"\nstate_dir = "{state}"\n'
                    f'[service]\nurl = "{url}"\nkey_file = "{keys}/kiosk-key.pem"\n'
                    f'service_key_file = "{keys}/service-key.pem"\n'
                    '[security]\nmodule = "demo"\n[camera]\ndevice = "none"\n'
                    '[ui]\nfullscreen = false\n[voice]\nplayer = "none"\n')
    return path


def enroll(config: pathlib.Path, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "provisioning", "enroll", "--config", str(config), "--code", code],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.fixture
def enrolled_config(tmp_path, service):
    config = write_config(tmp_path, service.url)
    done = enroll(config, service.enrolment_code)
    assert done.returncode == 0, done.stderr
    return config


def start(config_path):
    from kiosk.runtime import Kiosk
    kiosk = Kiosk(load(str(config_path)), recover=False)
    kiosk.close()


def test_enroll_writes_the_keys_where_the_config_reads_them(enrolled_config):
    config = load(str(enrolled_config))
    assert os.path.exists(config.kiosk_key_path) and os.path.exists(config.service_key_path)
    assert os.stat(config.kiosk_key_path).st_mode & 0o077 == 0          # the private key: its owner only
    assert not os.path.exists(os.path.join(config.state_dir, "service-key.pem"))


@pytest.mark.skipif(os.geteuid() != 0, reason="enrolling as root for another user needs root")
def test_a_root_enrolment_gives_the_keys_to_the_installed_kiosks_user(tmp_path, service):
    config = write_config(tmp_path, service.url)
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    os.chown(keys, 4242, 4242)             # the keys folder as install leaves it: the kiosk user's
    done = enroll(config, service.enrolment_code)
    assert done.returncode == 0, done.stderr
    for name in ("kiosk-key.pem", "kiosk-key.pub.pem", "service-key.pem"):
        st = os.stat(keys / name)
        assert (st.st_uid, st.st_gid) == (4242, 4242), name
    assert os.stat(keys / "kiosk-key.pem").st_mode & 0o077 == 0


def test_an_enrolled_kiosk_starts_against_its_service(enrolled_config):
    start(enrolled_config)


def test_with_the_service_key_file_removed_the_kiosk_does_not_start_and_says_why(enrolled_config):
    os.remove(load(str(enrolled_config)).service_key_path)
    with pytest.raises(StartRefused) as refused:
        start(enrolled_config)
    assert "service-key.pem" in refused.value.detail and "provisioning enroll" in refused.value.detail
    assert refused.value.zh and refused.value.en


def test_with_the_kiosk_key_removed_the_kiosk_does_not_make_a_new_one_and_does_not_start(enrolled_config):
    key_path = load(str(enrolled_config)).kiosk_key_path
    os.remove(key_path)
    with pytest.raises(StartRefused) as refused:
        start(enrolled_config)
    assert "kiosk-key.pem" in refused.value.detail and not os.path.exists(key_path)


def test_a_service_key_file_that_is_not_a_key_stops_the_start(enrolled_config):
    pathlib.Path(load(str(enrolled_config)).service_key_path).write_text("-----BEGIN PUBLIC KEY-----\nnonsense\n")
    with pytest.raises(StartRefused) as refused:
        start(enrolled_config)
    assert "service-key.pem" in refused.value.detail


def test_a_key_that_cannot_be_read_stops_the_start(enrolled_config):
    key_path = load(str(enrolled_config)).kiosk_key_path
    os.remove(key_path)
    os.mkdir(key_path)             # unreadable as a file even for root (a wrong mode is the same error path)
    with pytest.raises(StartRefused) as refused:
        start(enrolled_config)
    assert "kiosk-key.pem" in refused.value.detail and "cannot be read" in refused.value.detail


class Unsigned(BaseHTTPRequestHandler):
    """A forger: answers every request with a plausible JSON body and no signature."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"ok": True, "state": "normal"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture
def forger():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Unsigned)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_forged_unsigned_answer_is_refused_even_by_a_client_with_no_pinned_key(forger):
    client = ServiceClient(forger, "HALL-01", key=PrivateKey.generate())
    with pytest.raises(ServiceError) as refused:
        client.heartbeat([])
    assert "no pinned service key" in refused.value.detail


def test_a_forged_unsigned_answer_is_refused_by_an_enrolled_client(forger):
    client = ServiceClient(forger, "HALL-01", key=PrivateKey.generate(), service_key=PrivateKey.generate().public)
    with pytest.raises(ServiceError) as refused:
        client.heartbeat([])
    assert "not signed" in refused.value.detail


def test_the_kiosk_process_shows_out_of_service_and_logs_what_to_do(enrolled_config, display, tmp_path):
    from PIL import ImageGrab
    config = load(str(enrolled_config))
    os.remove(config.service_key_path)
    log = pathlib.Path(config.state_dir) / "kiosk.log"
    process = subprocess.Popen([sys.executable, str(ROOT / "run_kiosk.py"), "--config", str(enrolled_config),
                                "--windowed"], cwd=ROOT, env={**os.environ, "DISPLAY": display},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    from tests.test_kiosk_process import ended, wait_for
    with ended(process):
        assert wait_for(lambda: log.exists() and "out-of-service screen shown" in log.read_text(), 60), \
            process.stderr.read().decode(errors="replace")[-2000:] if process.poll() is not None else "no screen"
        drawn = []                  # the log line comes with the first frame; the X server may show it later
        assert wait_for(lambda: drawn.append(ImageGrab.grab(xdisplay=display))
                        or any(low != high for low, high in drawn[-1].getextrema()), 15), "nothing drawn"
        out = ROOT / "tests" / "artifacts" / "start_refused.png"
        out.parent.mkdir(exist_ok=True)
        drawn[-1].save(out)
    text = log.read_text()
    assert "cannot start" in text and "service-key.pem" in text and "provisioning enroll" in text
    assert process.returncode == 3          # did not start: systemd restarts it after RestartSec
