"""The kiosk as systemd runs it: `run_kiosk.py` in its own process ends cleanly and promptly on SIGTERM
(SDL would otherwise turn the signal into a window-close request, which the kiosk refuses)."""
import os
import pathlib
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).parent.parent


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_sigterm_stops_the_kiosk_cleanly(tmp_path, display):
    state = tmp_path / "state"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'state_dir = "{state}"\n[ui]\nfullscreen = false\n[voice]\nplayer = "none"\n')
    log = state / "kiosk.log"
    process = subprocess.Popen([sys.executable, str(ROOT / "run_kiosk.py"), "--config", str(config), "--windowed"],
                               cwd=ROOT, env={**os.environ, "DISPLAY": display}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: log.exists() and "kiosk ready" in log.read_text(), 60), "the kiosk did not start"
        process.send_signal(signal.SIGTERM)
        rc = process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert rc == 0, process.stderr.read().decode(errors="replace")[-2000:]
    text = log.read_text()
    assert "signal 15: stopping" in text and "Leaving application" in text
