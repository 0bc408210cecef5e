"""The operator view: one page of the reference service for a province's operators, behind an operator
sign-in (kiosk/backend/operators.py), never open to the world and never under /v1 (kiosks sign those; a
browser cannot).

Every kiosk with its last heartbeat — turned red ("离线") when none came for ``silent_after_s`` — each device's
state, card stock and reject bin, the module's counts, whether staff paused it and how many transactions its
journal holds open; the open staff calls (acknowledge, close); the open staff events (unsettled
transactions, device events); recent staff actions. Filtered by region and site; an operator bound to a
region sees only it. Server-rendered HTML with no script: every value escaped, forms carry the session's CSRF
token, the session cookie is HttpOnly and SameSite=Strict, and a Content-Security-Policy forbids anything
the page does not load itself. It refreshes itself every REFRESH_S seconds, so a kiosk going silent turns
red on the screen without anyone touching it.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import urllib.parse

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kiosk.backend import operators, staff

COOKIE = "sbk_operator"
REFRESH_S = 15
DEVICE_WORDS = {"idreader": "身份证读卡器", "cardreader": "社保卡读卡器", "printer": "凭条打印机",
                "cardissuer": "制卡模块", "issuer_reader": "制卡模块读卡器", "faceprinter": "卡面打印机",
                "camera": "摄像头", "security": "安全模块"}
EVENT_WORDS = {"hopper_low": "卡箱卡少", "hopper_empty": "卡箱无卡", "reject_bin_near_full": "废卡箱将满",
               "reject_bin_full": "废卡箱已满", "leftover_card_captured": "开机回收遗留卡", "paper_low": "凭条纸将尽",
               "paper_out": "凭条纸用完", "reader_offline": "读卡器离线", "gate_entry_not_disabled": "进卡口未关闭",
               "issuance_unsettled": "制卡交易未完成", "old_card_captured": "旧卡已回收",
               "pin_unreported": "密码结果未上报", "service_write_unconfirmed": "业务写入未确认",
               "service_write_refused": "业务写入被拒"}
STATE_WORDS = {"online": ("正常", "ok"), "busy": ("忙", "warn"), "offline": ("离线", "bad"),
               "hardware_error": ("故障", "bad"), "user_error": ("待处理", "warn"), "no_device": ("未配置", "off")}
HOPPER_WORDS = {"ok": ("充足", "ok"), "low": ("卡少", "warn"), "empty": ("无卡", "bad")}
BIN_WORDS = {"ok": ("正常", "ok"), "near_full": ("将满", "warn"), "full": ("已满", "bad")}
HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                      "frame-ancestors 'none'; base-uri 'none'",
           "X-Frame-Options": "DENY", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
           "X-Content-Type-Options": "nosniff"}


def e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


async def form_of(request: Request) -> dict[str, str]:
    """An urlencoded form (no multipart dependency for three fields), each value at most 200 characters."""
    body = (await request.body())[:4096].decode("utf-8", errors="replace")
    return {k: v[0][:200] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}


def add_routes(app, store, now, silent_after_s: float) -> None:
    def page(content: str, status: int = 200, cookie: tuple | None = None) -> HTMLResponse:
        response = HTMLResponse(content, status_code=status, headers=HEADERS)
        if cookie:
            response.set_cookie(COOKIE, cookie[0], max_age=cookie[1], httponly=True, samesite="strict",
                                path="/operator", secure=cookie[2])
        return response

    def current(request: Request) -> dict | None:
        return operators.session(store, request.cookies.get(COOKIE), now())

    def back_to_login() -> Response:
        return RedirectResponse("/operator/login", status_code=303, headers=HEADERS)

    @app.get("/operator/login", include_in_schema=False)
    def login_page(request: Request):
        return page(_login_html(""))

    @app.post("/operator/login", include_in_schema=False)
    async def login(request: Request):
        form = await form_of(request)
        try:
            token, _csrf = operators.sign_in(store, form.get("username", ""), form.get("password", ""), now())
        except operators.SignInRefused as refused:
            return page(_login_html(refused.words), status=401)
        response = RedirectResponse("/operator", status_code=303, headers=HEADERS)
        response.set_cookie(COOKIE, token, max_age=int(operators.SESSION_TTL.total_seconds()), httponly=True,
                            samesite="strict", path="/operator", secure=request.url.scheme == "https")
        return response

    @app.post("/operator/logout", include_in_schema=False)
    async def logout(request: Request):
        who = current(request)
        form = await form_of(request)
        if who is not None and form.get("csrf") == who["csrf"]:
            operators.sign_out(store, request.cookies.get(COOKIE, ""))
        response = back_to_login()
        response.delete_cookie(COOKIE, path="/operator")
        return response

    @app.post("/operator/calls/{call_id}/{action}", include_in_schema=False)
    async def call_action(call_id: int, action: str, request: Request):
        who = current(request)
        if who is None:
            return back_to_login()
        form = await form_of(request)
        if form.get("csrf") != who["csrf"] or action not in ("acknowledge", "close"):
            return page(_message_html("请求无效，请刷新页面后重试 / Invalid request: reload the page"), status=403)
        state = {"acknowledge": "acknowledged", "close": "closed"}[action]
        with store.transaction() as db:
            row = db.execute("SELECT c.kiosk_id, k.region FROM staff_calls c LEFT JOIN kiosks k "
                             "ON k.kiosk_id = c.kiosk_id WHERE c.id = ?", (call_id,)).fetchone()
            if row is not None and (not who["region"] or row["region"] == who["region"]):
                db.execute("UPDATE staff_calls SET state = ? WHERE id = ? AND state != 'closed'", (state, call_id))
        return RedirectResponse("/operator?" + urllib.parse.urlencode(
            {k: v for k, v in (("region", form.get("region", "")), ("site", form.get("site", ""))) if v}),
            status_code=303, headers=HEADERS)

    @app.get("/operator", include_in_schema=False)
    def fleet(request: Request, region: str = "", site: str = ""):
        who = current(request)
        if who is None:
            return back_to_login()
        region = who["region"] or region[:32]
        return page(_fleet_html(store, who, region, site[:64], now(), silent_after_s))


# -- the pages --------------------------------------------------------------------------------------------
STYLE = """
body{font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;margin:0;background:#f4f6f9;color:#1b1f24;font-size:15px}
header{background:#1c56a6;color:#fff;padding:10px 20px;display:flex;align-items:center;gap:16px}
header h1{font-size:20px;margin:0;flex:1} header form{margin:0}
main{padding:12px 20px} h2{font-size:17px;margin:18px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff} th,td{border:1px solid #d5dbe3;padding:5px 8px;
text-align:left;vertical-align:top} th{background:#e8edf4;font-weight:600}
.ok{color:#137333}.warn{color:#a05a00;font-weight:600}.bad{color:#b3261e;font-weight:700}.off{color:#777}
tr.silent td{background:#fde7e6} tr.silent td.state{color:#b3261e;font-weight:700}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600}
.badge.ok{background:#137333;color:#fff}.badge.warn{background:#b26a00;color:#fff}.badge.bad{background:#b3261e;color:#fff}
.badge.off{background:#777;color:#fff}
.filters{display:flex;gap:10px;align-items:center;margin:6px 0} input,select,button{font-size:15px;padding:4px 8px}
.note{color:#555;font-size:13px} form.inline{display:inline;margin:0}
.login{max-width:360px;margin:80px auto;background:#fff;padding:24px;border:1px solid #d5dbe3}
.login label{display:block;margin:10px 0 4px} .login input{width:100%;box-sizing:border-box} .error{color:#b3261e}
"""


def _doc(title: str, body: str, refresh: bool = False) -> str:
    meta = f'<meta http-equiv="refresh" content="{REFRESH_S}">' if refresh else ""
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">{meta}<title>{e(title)}</title>'
            f"<style>{STYLE}</style></head><body>{body}</body></html>")


def _login_html(error: str) -> str:
    return _doc("运维登录 · Operator sign-in", f"""
<form class="login" method="post" action="/operator/login">
<h2>社保卡自助终端运维 · Operator sign-in</h2>
{f'<p class="error" id="error">{e(error)}</p>' if error else ''}
<label for="username">用户名 / Username</label><input id="username" name="username" autocomplete="username" required>
<label for="password">密码 / Password</label><input id="password" name="password" type="password"
 autocomplete="current-password" required>
<p><button id="sign-in" type="submit">登录 / Sign in</button></p></form>""")


def _message_html(words: str) -> str:
    return _doc("运维 · Operator", f'<main><p class="error">{e(words)}</p><p><a href="/operator">返回</a></p></main>')


def _when(text: str | None) -> str:
    """An ISO time as the operator reads it: local month-day hour:minute:second."""
    try:
        return dt.datetime.fromisoformat(text).astimezone().strftime("%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return text or "-"


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "从未 / never"
    if seconds < 90:
        return f"{int(seconds)} 秒前"
    if seconds < 5400:
        return f"{int(seconds // 60)} 分钟前"
    return f"{seconds / 3600:.1f} 小时前"


def _words(table: dict, key, default_class: str = "off") -> str:
    text, cls = table.get(key, (key if key is not None else "-", default_class))
    return f'<span class="{cls}">{e(text)}</span>'


def _kiosk_row(k, now: dt.datetime, silent_after_s: float) -> str:
    seen = dt.datetime.fromisoformat(k["last_seen"]) if k["last_seen"] else None
    age = (now - seen).total_seconds() if seen else None
    silent = age is None or age > silent_after_s
    devices = json.loads(k["devices"] or "[]")
    counters = json.loads(k["counters"] or "{}")
    by_name = {d.get("device"): d for d in devices if isinstance(d, dict)}
    issuer = by_name.get("cardissuer", {})
    media = issuer.get("media", {}) if isinstance(issuer.get("media"), dict) else {}
    faults = [d for d in devices if isinstance(d, dict) and STATE_WORDS.get(d.get("state"), ("", ""))[1] == "bad"]
    if silent:
        badge = '<span class="badge bad">离线</span>'
    elif k["paused"]:
        badge = '<span class="badge off">暂停服务</span>'
    elif faults or media.get("hopper") == "empty" or media.get("reject_bin") == "full":
        badge = '<span class="badge bad">故障</span>'
    elif media.get("hopper") == "low" or media.get("reject_bin") == "near_full" or k["unsettled"]:
        badge = '<span class="badge warn">注意</span>'
    else:
        badge = '<span class="badge ok">正常</span>'
    device_cells = "<br>".join(f"{e(DEVICE_WORDS.get(d.get('device'), d.get('device')))}："
                               f"{_words(STATE_WORDS, d.get('state'))}" for d in devices if isinstance(d, dict))
    counts = (f"上次补卡 {e(counters.get('loaded', '-'))} · 已出卡 {e(counters.get('since_refill', '-'))} · "
              f"累计发卡 {e(counters.get('issued', '-'))}") if counters else "-"
    return (f'<tr id="kiosk-{e(k["kiosk_id"])}" class="{"silent" if silent else ""}">'
            f'<td><b>{e(k["kiosk_id"])}</b><br><span class="note">{e(k["site"]) or "-"} · {e(k["region"]) or "-"}'
            f'</span></td><td class="state">{badge}<br>{e(_age(age))}</td><td>{device_cells or "-"}</td>'
            f'<td class="hopper">{_words(HOPPER_WORDS, media.get("hopper"))}</td>'
            f'<td class="bin">{_words(BIN_WORDS, media.get("reject_bin"))} · {e(media.get("reject_count", "-"))} 张</td>'
            f'<td>{counts}</td><td class="{"warn" if k["unsettled"] else ""}">{e(k["unsettled"])}</td></tr>')


def _fleet_html(store, who: dict, region: str, site: str, now: dt.datetime, silent_after_s: float) -> str:
    where, args = [], []
    if region:
        where.append("k.region = ?")
        args.append(region)
    if site:
        where.append("k.site = ?")
        args.append(site)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    kiosks = store.query(f"SELECT k.* FROM kiosks k{clause} ORDER BY k.region, k.site, k.kiosk_id", *args)
    ids = [k["kiosk_id"] for k in kiosks]
    marks = ",".join("?" * len(ids)) or "''"
    calls = store.query(f"SELECT * FROM staff_calls WHERE state != 'closed' AND kiosk_id IN ({marks}) "
                        f"ORDER BY id DESC LIMIT 100", *ids)
    events = store.query(f"SELECT * FROM staff_events WHERE state = 'open' AND kiosk_id IN ({marks}) "
                         f"ORDER BY id DESC LIMIT 50", *ids)
    audit = [a for a in staff.trail(store, None, 200) if a["kiosk_id"] in ids][:20]
    regions = [r["region"] for r in store.query("SELECT DISTINCT region FROM kiosks ORDER BY region")]
    sites = [r["site"] for r in store.query("SELECT DISTINCT site FROM kiosks" + (" WHERE region = ?" if region else "")
                                            + " ORDER BY site", *([region] if region else []))]
    hidden = f'<input type="hidden" name="csrf" value="{e(who["csrf"])}">' \
             f'<input type="hidden" name="region" value="{e(region)}"><input type="hidden" name="site" value="{e(site)}">'

    def option(value: str, chosen: str, label: str | None = None) -> str:
        return f'<option value="{e(value)}"{" selected" if value == chosen else ""}>{e(label or value or "全部")}</option>'

    region_select = ("" if who["region"] else
                     f'<label>地区 <select name="region" id="region">{option("", region)}'
                     f'{"".join(option(r, region) for r in regions if r)}</select></label>')
    rows = "".join(_kiosk_row(k, now, silent_after_s) for k in kiosks) or '<tr><td colspan="7">没有终端</td></tr>'
    call_rows = "".join(
        f'<tr id="call-{c["id"]}"><td>{e(c["kiosk_id"])}</td><td>{e(_when(c["at"]))}</td><td>{e(c["screen"])}</td>'
        f'<td>{e(c["service"])}</td><td>{e(c["reason"])}</td><td class="call-state">{e(c["state"])}</td><td>'
        + (f'<form class="inline" method="post" action="/operator/calls/{c["id"]}/acknowledge">{hidden}'
           f'<button id="ack-{c["id"]}">确认收到</button></form> ' if c["state"] == "open" else "")
        + f'<form class="inline" method="post" action="/operator/calls/{c["id"]}/close">{hidden}'
          f'<button id="close-{c["id"]}">关闭</button></form></td></tr>' for c in calls) \
        or '<tr><td colspan="7">没有待处理的呼叫</td></tr>'
    event_rows = "".join(
        f'<tr><td>{e(ev["kiosk_id"])}</td><td>{e(_when(ev["at"]))}</td><td>{e(EVENT_WORDS.get(ev["kind"], ev["kind"]))}</td>'
        f'<td>{e(DEVICE_WORDS.get(ev["device"], ev["device"] or "-"))}</td>'
        f'<td>{e(ev["txn"])}</td><td>{e(ev["note"])}</td></tr>' for ev in events) \
        or '<tr><td colspan="6">没有待处理的事件</td></tr>'
    audit_rows = "".join(
        f'<tr><td>{e(_when(a["at"]))}</td><td>{e(a["kiosk_id"])}</td><td>{e(a["staff_no"])} {e(a["name"])}</td>'
        f'<td>{e(a["action"])}</td><td>{e(a["count"])}</td></tr>' for a in audit) \
        or '<tr><td colspan="5">没有记录</td></tr>'
    silent = sum(1 for k in kiosks if not k["last_seen"] or
                 (now - dt.datetime.fromisoformat(k["last_seen"])).total_seconds() > silent_after_s)
    return _doc("终端运行监控 · Fleet", f"""
<header><h1>社保卡自助终端运行监控 · Fleet</h1><span>{e(who["username"])}{(" · " + e(who["region"])) if who["region"] else ""}</span>
<form method="post" action="/operator/logout"><input type="hidden" name="csrf" value="{e(who["csrf"])}">
<button id="sign-out">退出</button></form></header>
<main>
<form class="filters" method="get" action="/operator">{region_select}
<label>网点 <select name="site" id="site">{option("", site)}{"".join(option(s, site) for s in sites if s)}</select></label>
<button id="filter">筛选</button>
<span class="note">共 {len(kiosks)} 台，离线 {silent} 台；{int(silent_after_s)} 秒无心跳即为离线；本页每 {REFRESH_S} 秒刷新</span></form>
<h2>终端</h2><table id="fleet"><tr><th>终端 / 网点 · 地区</th><th>状态 / 最后心跳</th><th>设备</th><th>卡箱</th>
<th>废卡箱</th><th>计数</th><th>未完成交易</th></tr>{rows}</table>
<h2>工作人员呼叫</h2><table id="calls"><tr><th>终端</th><th>时间</th><th>界面</th><th>业务</th><th>原因</th><th>状态</th>
<th>处理</th></tr>{call_rows}</table>
<h2>待处理事件（未完成交易、设备事件）</h2><table id="events"><tr><th>终端</th><th>时间</th><th>事件</th><th>设备</th>
<th>交易</th><th>说明</th></tr>{event_rows}</table>
<h2>工作人员操作记录</h2><table id="audit"><tr><th>时间</th><th>终端</th><th>工作人员</th><th>操作</th><th>数量</th></tr>
{audit_rows}</table></main>""", refresh=True)
