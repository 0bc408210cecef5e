"""The operator view (/operator) in a real browser: Debian's chromium, headless, driven by selenium through
Debian's chromedriver (nothing downloaded at run time). A whole simulated kiosk heartbeats to its service; a
second kiosk went silent; a third stands at another site. Screenshots under tests/artifacts/operator/."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import requests

from kiosk.backend import operators
from kiosk.config import Config
from kiosk.devicewatch import DeviceWatch
from kiosk.runtime import Kiosk
from kiosk.backend.client import ServiceClient
from kiosk.security.sm2 import PrivateKey

ARTIFACTS = Path(__file__).parent / "artifacts" / "operator"
pytestmark = [pytest.mark.timeout(300), pytest.mark.xdist_group("browser")]
PASSWORD = "fleet-watch-2026"


def _require(what: str) -> None:
    if os.environ.get("KIOSK_REQUIRE_DISPLAY") == "1":
        pytest.fail(f"{what} is missing: make setup installs Debian's chromium and chromium-driver")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    for tool in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
        if not os.path.exists(tool):
            _require(tool)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", "--window-size=1400,1000", "--lang=zh-CN",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def fleet(tmp_path, monkeypatch):
    """A simulated kiosk (SIM-0001, embedded service, 雁塔区政务大厅), a silent one and one at another site.
    The page's own refresh is slowed down here so that it does not reload under the test's clicks (the test
    of the refresh sets it back)."""
    from kiosk.backend import operator_view
    monkeypatch.setattr(operator_view, "REFRESH_S", 3600)
    kiosk = Kiosk(Config(state_dir=str(tmp_path / "kiosk")))
    service = kiosk.service
    store = service.store
    store.query("UPDATE kiosks SET site = '雁塔区政务大厅', region = '610113' WHERE kiosk_id = 'SIM-0001'")
    operators.add(store, "ops.xian", PASSWORD)
    for kiosk_id, site, region in (("HALL-02", "碑林区社保中心", "610103"), ("HALL-03", "雁塔区政务大厅", "610113")):
        code = store.add_enrolment_code(f"code-{kiosk_id}", dt.timedelta(hours=1), kiosk_id, site=site, region=region)
        client = ServiceClient(service.url, kiosk_id, key=PrivateKey.generate())
        client.enrol(code)
        client.heartbeat([{"device": "printer", "state": "online", "media": {"paper": "ok"}}])
        if kiosk_id == "HALL-02":                       # went silent ten minutes ago
            old = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10)).replace(microsecond=0).isoformat()
            store.query("UPDATE kiosks SET last_seen = ? WHERE kiosk_id = 'HALL-02'", old)
        client.close()
    yield kiosk
    kiosk.close()


def shot(browser, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    browser.save_screenshot(str(path))
    return path


def click_and_wait(browser, element) -> None:
    """Click a button that submits a form, and wait until the browser has left the page it was on."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    page = browser.find_element(By.TAG_NAME, "html")
    element.click()

    def left(_):
        try:
            page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:    # chromedriver, mid-navigation: "Node … does not belong to the document"
            return "does not belong to the document" in str(exc)
        return False
    WebDriverWait(browser, 20).until(left)


def sign_in(browser, url: str, password: str = PASSWORD) -> None:
    from selenium.webdriver.common.by import By
    browser.get(url + "/operator")
    assert browser.current_url.endswith("/operator/login")              # nothing without signing in
    browser.find_element(By.ID, "username").send_keys("ops.xian")
    browser.find_element(By.ID, "password").send_keys(password)
    click_and_wait(browser, browser.find_element(By.ID, "sign-in"))


def test_the_fleet_page_behind_a_sign_in_shows_a_low_hopper_within_one_heartbeat_and_a_silent_kiosk_in_red(
        browser, fleet):
    from selenium.webdriver.common.by import By
    url = fleet.service.url
    assert requests.get(url + "/operator", allow_redirects=False, timeout=5).status_code == 303   # not open

    sign_in(browser, url, "wrong-password-1")
    assert "用户名或密码不正确" in browser.find_element(By.ID, "error").text
    shot(browser, "01-sign-in-refused")
    browser.delete_all_cookies()
    sign_in(browser, url)
    assert browser.current_url.endswith("/operator")

    fleet.hands.issuer_sim.hopper = 3                   # the simulator's hopper runs low
    fleet.devices.service.call_staff("issuing", "issue", "no_match")
    DeviceWatch(fleet.devices).poll_once()              # one heartbeat
    browser.refresh()
    row = browser.find_element(By.ID, "kiosk-SIM-0001")
    assert "卡少" in row.find_element(By.CLASS_NAME, "hopper").text and "注意" in row.text
    silent = browser.find_element(By.ID, "kiosk-HALL-02")
    assert "silent" in silent.get_attribute("class") and "离线" in silent.text
    red = silent.find_element(By.TAG_NAME, "td").value_of_css_property("background-color")
    assert red in ("rgba(253, 231, 230, 1)", "rgb(253, 231, 230)"), red
    assert "正常" in browser.find_element(By.ID, "kiosk-HALL-03").text
    calls = browser.find_element(By.ID, "calls")
    assert "SIM-0001" in calls.text and "no_match" in calls.text
    shot(browser, "02-fleet-low-hopper-and-silent-kiosk")

    click_and_wait(browser, calls.find_element(By.XPATH, ".//button[starts-with(@id, 'ack-')]"))  # acknowledge
    assert "acknowledged" in browser.find_element(By.ID, "calls").text
    click_and_wait(browser, browser.find_element(By.XPATH, "//table[@id='calls']//button[starts-with(@id, 'close-')]"))
    assert "没有待处理的呼叫" in browser.find_element(By.ID, "calls").text

    from selenium.webdriver.support.ui import Select
    Select(browser.find_element(By.ID, "site")).select_by_visible_text("雁塔区政务大厅")
    click_and_wait(browser, browser.find_element(By.ID, "filter"))
    fleet_text = browser.find_element(By.ID, "fleet").text
    assert "SIM-0001" in fleet_text and "HALL-03" in fleet_text and "HALL-02" not in fleet_text
    shot(browser, "03-fleet-filtered-by-site")


def test_an_action_without_the_pages_csrf_token_is_refused_and_values_are_escaped(fleet):
    store, url = fleet.service.store, fleet.service.url
    token, _csrf = operators.sign_in(store, "ops.xian", PASSWORD, dt.datetime.now(dt.timezone.utc))
    call = fleet.devices.service.call_staff("home", None, None)["call_id"]
    forged = requests.post(f"{url}/operator/calls/{call}/close", data={"csrf": "guess"},
                           cookies={"sbk_operator": token}, allow_redirects=False, timeout=5)
    assert forged.status_code == 403
    assert store.query("SELECT state FROM staff_calls WHERE id = ?", call)[0]["state"] == "open"
    store.query("UPDATE kiosks SET site = '<script>alert(1)</script>' WHERE kiosk_id = 'SIM-0001'")
    page = requests.get(f"{url}/operator", cookies={"sbk_operator": token}, timeout=5)
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]


def test_five_wrong_passwords_lock_the_operator_out(fleet):
    store = fleet.service.store
    now = dt.datetime.now(dt.timezone.utc)
    for _ in range(operators.MAX_FAILURES):
        with pytest.raises(operators.SignInRefused):
            operators.sign_in(store, "ops.xian", "not-the-password", now)
    with pytest.raises(operators.SignInRefused) as refused:
        operators.sign_in(store, "ops.xian", PASSWORD, now)
    assert "锁定" in refused.value.words
    assert operators.sign_in(store, "ops.xian", PASSWORD, now + operators.LOCKOUT + dt.timedelta(seconds=1))


def test_a_kiosk_that_goes_silent_turns_red_on_an_open_page_by_itself(browser, fleet, monkeypatch):
    import time
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from kiosk.backend import operator_view
    monkeypatch.setattr(operator_view, "REFRESH_S", 1)
    browser.delete_all_cookies()
    sign_in(browser, fleet.service.url)
    assert "silent" not in browser.find_element(By.ID, "kiosk-HALL-03").get_attribute("class")
    old = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)).replace(microsecond=0).isoformat()
    fleet.service.store.query("UPDATE kiosks SET last_seen = ? WHERE kiosk_id = 'HALL-03'", old)
    deadline, red = time.monotonic() + 15, False        # nobody touches the page: it reloads itself
    while time.monotonic() < deadline and not red:
        try:
            red = "silent" in browser.find_element(By.ID, "kiosk-HALL-03").get_attribute("class")
        except StaleElementReferenceException:
            pass
        time.sleep(0.3)
    assert red
