"""The kiosk as systemd runs it: `run_kiosk.py` in its own process ends cleanly and promptly on SIGTERM
(SDL would otherwise turn the signal into a window-close request, which the kiosk refuses)."""
import contextlib
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


@contextlib.contextmanager
def ended(process):
    """SIGTERM after the block (as systemd stops it), waited for; killed if the block failed or it hangs."""
    try:
        yield process
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_sigterm_stops_the_kiosk_cleanly(tmp_path, display):
    state = tmp_path / "state"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'state_dir = "{state}"\n[ui]\nfullscreen = false\n[voice]\nplayer = "none"\n')
    log = state / "kiosk.log"
    process = subprocess.Popen([sys.executable, str(ROOT / "run_kiosk.py"), "--config", str(config), "--windowed"],
                               cwd=ROOT, env={**os.environ, "DISPLAY": display}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    with ended(process):
        assert wait_for(lambda: log.exists() and "kiosk ready" in log.read_text(), 60), "the kiosk did not start"
    assert process.returncode == 0, process.stderr.read().decode(errors="replace")[-2000:]
    text = log.read_text()
    assert "signal 15: stopping" in text and "Leaving application" in text


def start_kiosk(config, state, display):
    """run_kiosk.py in its own process; returns it once its log says it is ready (the running app)."""
    log = state / "kiosk.log"
    seen = log.read_text().count("kiosk ready") if log.exists() else 0
    process = subprocess.Popen([sys.executable, str(ROOT / "run_kiosk.py"), "--config", str(config), "--windowed"],
                               cwd=ROOT, env={**os.environ, "DISPLAY": display}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    started = wait_for(lambda: process.poll() is not None
                       or (log.exists() and log.read_text().count("kiosk ready") > seen), 60)
    if not started or process.poll() is not None:
        if process.poll() is None:
            process.kill()
        process.wait()
        text = log.read_text() if log.exists() else ""
        raise AssertionError("the kiosk did not start: " + (process.stderr.read().decode(errors="replace")
                                                             + text[text.rfind("Traceback") - 200:])[-3000:])
    return process


def test_the_embedded_demo_starts_again_and_again_in_one_state_dir(tmp_path, display):
    """`make run` a second time: the demo service is recreated at each start and must sign its answers with
    the key the kiosk pinned at the first start; a SIGKILL in between changes nothing."""
    state = tmp_path / "state"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'state_dir = "{state}"\n[ui]\nfullscreen = false\n[voice]\nplayer = "none"\n')
    for run, stop in enumerate([signal.SIGTERM, signal.SIGKILL, signal.SIGTERM]):
        process = start_kiosk(config, state, display)
        try:
            process.send_signal(stop)
            rc = process.wait(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        stderr = process.stderr.read().decode(errors="replace")
        assert rc == (0 if stop == signal.SIGTERM else -signal.SIGKILL), (run, stderr[-2000:])
        assert "Traceback" not in stderr + (state / "kiosk.log").read_text(), (run, stderr[-2000:])
    key = state / "demo-service-key.pem"
    assert key.exists() and key.stat().st_mode & 0o777 == 0o600
