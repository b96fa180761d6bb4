"""The dashboard's web server: Streamlit's own ASGI app (``st.App``) behind zwgk's front.

Why in-process ASGI middleware, not Streamlit options or a second proxy process:
Streamlit has no option for response headers or for closing ``/_stcore/metrics``, and a
loopback reverse proxy would be one more process to start, stop and keep in step (and the
websocket upgrade to forward).  ``st.App`` (Streamlit ≥ 1.5x) accepts Starlette routes and
middleware, so one process serves everything and every response — HTML, assets, websocket,
downloads — passes :class:`Front` on its way out.  nginx in front (docs/deployment.md) may
set the same headers again; they agree.

What :class:`Front` does:

* security headers on every HTTP response: a Content-Security-Policy (no inline script,
  no foreign sources, ``frame-ancestors 'none'``), ``X-Frame-Options: DENY``,
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``;
* ``/_stcore/metrics`` (and the unused upload/agent endpoints) answer 404;
* no page, websocket or download without a live session: the login is a plain HTML form
  here (``/zwgk/login``; no script, nothing echoed unescaped) that sets the signed,
  HttpOnly session cookie; a reload or a new tab keeps the login, a Streamlit session id
  alone gets nothing;
* a download (``/media/…``) is served only to the session that produced it
  (:data:`zwgk.dashboard.auth.DOWNLOADS`), and only while that session and its user live.

The app script itself checks the session again on every run (``zwgk.dashboard.session``).
"""

from __future__ import annotations

import argparse
import html
import logging
import os
import secrets
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from zwgk.dashboard import auth
from zwgk.storage import users
from zwgk.storage.db import Database, resolve_url

LOG = logging.getLogger("zwgk.dashboard")
LOGIN_PATH = "/zwgk/login"
LOGOUT_PATH = "/zwgk/logout"
TRUST_PROXY_ENV = "ZWGK_TRUST_PROXY"


def _index_script_hashes() -> str:
    """CSP hashes of the inline scripts in Streamlit's own index.html (one flag today), so the
    policy allows exactly those and no other inline script, whatever the installed version."""
    import base64
    import hashlib
    import re
    from pathlib import Path

    import streamlit

    index = Path(streamlit.__file__).with_name("static") / "index.html"
    try:
        text = index.read_text(encoding="utf-8")
    except OSError:
        return ""
    found = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", text, re.S)
    return "".join(f" 'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in found)


SECURITY_HEADERS = {
    # Streamlit's bundle needs 'unsafe-eval' (Arrow/vega) and inline styles (emotion); inline
    # scripts only those of its index.html, by hash.
    "content-security-policy": (
        f"default-src 'self'; script-src 'self' 'unsafe-eval'{_index_script_hashes()}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
        "frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",  # "no-referrer" would make the login POST's Origin "null"
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
CLOSED_PREFIXES = ("/_stcore/metrics", "/_stcore/upload_file", "/_stcore/agent")
OPEN_PREFIXES = ("/static/", "/_stcore/health", "/_stcore/host-config", "/favicon", "/zwgk/")
_db_cache: dict[str, Database] = {}


def db_url() -> str:
    return resolve_url(os.environ.get("ZWGK_DB") or None)


def database() -> Database:
    url = db_url()
    if url not in _db_cache:
        _db_cache[url] = Database.open(url)
    return _db_cache[url]


def client_address(scope: Mapping[str, Any], headers: Mapping[str, str]) -> str:
    """The client's address: the socket peer, or nginx's ``X-Real-IP`` when told to trust it."""
    peer = (scope.get("client") or ("", 0))[0] or "unknown"
    if os.environ.get(TRUST_PROXY_ENV) == "1" and peer in ("127.0.0.1", "::1"):
        forwarded = headers.get("x-real-ip") or headers.get("x-forwarded-for", "").split(",")[-1]
        return forwarded.strip()[:64] or peer
    return peer


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    from http.cookies import CookieError, SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except CookieError:  # a malformed Cookie header: no session
        return {}
    return {k: m.value for k, m in jar.items()}


def _live_session(cookies: dict[str, str]) -> tuple[str, str] | None:
    """(token, session id) if the cookies carry a live session of an existing user."""
    url = db_url()
    token = auth.session_token(url, cookies)
    if not token or users.session_user(database(), token) is None:
        return None
    return token, auth.session_id(token)


def _safe_next(value: str | None) -> str:
    """Only a path on this site (no ``//host``, no scheme): an open redirect is a phishing aid."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(("/zwgk/", "/_stcore/", "/media/")):
        return "/"
    return value


_LOGIN_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>政务公开评估 · 登录</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif;
       background: #f4f6f9; margin: 0; }}
main {{ max-width: 380px; margin: 12vh auto; background: #fff; padding: 32px 36px;
       border-radius: 8px; box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
h1 {{ font-size: 22px; margin: 0 0 24px; }}
label {{ display: block; margin: 14px 0 6px; font-size: 14px; }}
input[type=text], input[type=password] {{ width: 100%; box-sizing: border-box; padding: 9px 10px;
       border: 1px solid #c9ced6; border-radius: 4px; font-size: 15px; }}
button {{ margin-top: 22px; width: 100%; padding: 10px; font-size: 16px; color: #fff;
       background: #c0392b; border: 0; border-radius: 4px; cursor: pointer; }}
.err {{ background: #fdecea; color: #8a1c12; padding: 10px 12px; border-radius: 4px; font-size: 14px; }}
.note {{ background: #eef4fb; color: #1d4f7a; padding: 10px 12px; border-radius: 4px; font-size: 14px; }}
</style></head>
<body><main>
<h1>政务公开第三方评估 · 登录</h1>
{message}
<form method="post" action="{action}" autocomplete="off">
<input type="hidden" name="csrf" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<label for="username">用户名</label>
<input type="text" id="username" name="username" value="{username}" maxlength="100" required autofocus>
<label for="password">密码</label>
<input type="password" id="password" name="password" maxlength="200" required>
<button type="submit">登录</button>
</form>
</main></body></html>
"""

NOTICES = {
    "expired": "会话已过期，请重新登录。",
    "logout": "已退出登录。",
}


def _login_page(csrf: str, next_path: str, username: str = "", error: str = "", notice: str = "") -> str:
    message = ""
    if error:
        message = f'<p class="err" role="alert">登录失败：{html.escape(error)}</p>'
    elif notice in NOTICES:
        message = f'<p class="note">{NOTICES[notice]}</p>'
    return _LOGIN_PAGE.format(
        message=message,
        action=LOGIN_PATH,
        csrf=html.escape(csrf),
        next=html.escape(next_path),
        username=html.escape(username),
    )


def _secure(request: Request) -> bool:
    if request.url.scheme == "https":
        return True
    return os.environ.get(TRUST_PROXY_ENV) == "1" and request.headers.get("x-forwarded-proto") == "https"


def _set_cookie(resp: Response, request: Request, name: str, value: str, max_age: int) -> None:
    resp.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict", secure=_secure(request))


async def login_get(request: Request) -> Response:
    csrf = request.cookies.get(auth.CSRF_COOKIE) or secrets.token_urlsafe(24)
    page = _login_page(
        csrf, _safe_next(request.query_params.get("next")), notice=request.query_params.get("notice", "")
    )
    resp = HTMLResponse(page, headers={"cache-control": "no-store"})
    _set_cookie(resp, request, auth.CSRF_COOKIE, csrf, 3600)
    return resp


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def login_post(request: Request) -> Response:
    """Check the password (throttled, see ``users.authenticate``) and set the session cookie."""
    form = await request.form()
    name = str(form.get("username", ""))[:100].strip()
    password = str(form.get("password", ""))[:200]
    next_path = _safe_next(str(form.get("next", "/")))
    csrf_cookie = request.cookies.get(auth.CSRF_COOKIE, "")
    csrf = csrf_cookie or secrets.token_urlsafe(24)

    def refuse(error: str, status: int) -> Response:
        resp = HTMLResponse(
            _login_page(csrf, next_path, name, error), status_code=status, headers={"cache-control": "no-store"}
        )
        _set_cookie(resp, request, auth.CSRF_COOKIE, csrf, 3600)
        return resp

    if (
        not csrf_cookie
        or not secrets.compare_digest(csrf_cookie, str(form.get("csrf", "")))
        or not _same_origin(request)
    ):
        return refuse("页面已过期，请重新输入。", 400)
    url = db_url()
    client = client_address(request.scope, {k.lower(): v for k, v in request.headers.items()})
    trusted = name in auth.device_users(url, request.cookies)
    try:
        user = await run_in_threadpool(
            users.authenticate, database(), name, password, client=client, trusted_device=trusted
        )
    except users.AuthError as exc:
        return refuse(str(exc), 401 if not isinstance(exc, users.AccountLocked) else 429)
    token = await run_in_threadpool(users.create_session, database(), user.username, client)
    resp = RedirectResponse(next_path, status_code=303, headers={"cache-control": "no-store"})
    _set_cookie(
        resp, request, auth.SESSION_COOKIE, auth.sign_session(url, token), int(users.SESSION_LIFETIME.total_seconds())
    )
    known = auth.device_users(url, request.cookies)
    _set_cookie(
        resp, request, auth.DEVICE_COOKIE, auth.sign_device(url, [*known, user.username]), auth.DEVICE_DAYS * 86400
    )
    resp.delete_cookie(auth.CSRF_COOKIE, path="/")
    LOG.info("login %s from %s", user.username, client)
    return resp


async def logout(request: Request) -> Response:
    """End the session (server side) and drop the cookie; back to the login form."""
    token = auth.session_token(db_url(), request.cookies)
    if token:
        await run_in_threadpool(users.end_session, database(), token)
    resp = RedirectResponse(f"{LOGIN_PATH}?notice=logout", status_code=303)
    resp.delete_cookie(auth.SESSION_COOKIE, path="/")
    return resp


class Front:
    """Pure ASGI middleware in front of Streamlit (see the module docstring)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if path.startswith(CLOSED_PREFIXES):
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await self._plain(send, 404, "Not Found")
            return
        if kind == "websocket":
            live = await run_in_threadpool(_live_session, _cookies(headers))
            if live is None:  # no page script without a login: a session id alone gets nothing
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        if path.startswith(OPEN_PREFIXES):
            await self.app(scope, receive, self._with_headers(send))
            return
        live = await run_in_threadpool(_live_session, _cookies(headers))
        if path.startswith("/media/"):
            if live is None:
                await self._plain(send, 403, "Forbidden")
                return
            await self._media(scope, receive, send, live[1])
            return
        if live is None and scope.get("method") in ("GET", "HEAD"):
            query = scope.get("query_string", b"").decode("latin-1")
            target = path + ("?" + query if query else "")
            notice = "&notice=expired" if auth.SESSION_COOKIE in _cookies(headers) else ""
            await self._redirect(send, f"{LOGIN_PATH}?next={quote(target, safe='')}{notice}")
            return
        if live is None:
            await self._plain(send, 403, "Forbidden")
            return
        await self.app(scope, receive, self._with_headers(send))

    def _with_headers(self, send: Any) -> Any:
        async def wrapped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                raw = [
                    (k, v) for k, v in message.get("headers", []) if k.decode("latin-1").lower() not in SECURITY_HEADERS
                ]
                raw += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": raw}
            await send(message)

        return wrapped

    async def _media(self, scope: dict[str, Any], receive: Any, send: Any, sid: str) -> None:
        """Serve a prepared download only to the session whose click produced it."""
        start: dict[str, Any] = {}
        body: list[bytes] = []

        async def collect(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))

        # ask for the whole, plain file (no gzip, no byte range): its digest is what the
        # download's owner was registered by, and a partial answer must not slip past the check
        plain_scope = {
            **scope,
            "headers": [(k, v) for k, v in scope.get("headers", []) if k.lower() not in (b"accept-encoding", b"range")],
        }
        await self.app(plain_scope, receive, collect)
        data = b"".join(body)
        if 200 <= int(start.get("status", 500)) < 300 and not auth.DOWNLOADS.allowed(data, sid):
            LOG.warning("download refused: not made by this session (%s)", scope.get("path"))
            await self._plain(send, 403, "Forbidden")
            return
        send2 = self._with_headers(send)
        await send2(
            {
                **start,
                "headers": [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                + [(b"content-length", str(len(data)).encode())],
            }
        )
        await send2({"type": "http.response.body", "body": data})

    async def _plain(self, send: Any, status: int, text: str) -> None:
        send2 = self._with_headers(send)
        await send2(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")],
            }
        )
        await send2({"type": "http.response.body", "body": text.encode()})

    async def _redirect(self, send: Any, location: str) -> None:
        send2 = self._with_headers(send)
        await send2(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [(b"location", location.encode("latin-1")), (b"cache-control", b"no-store")],
            }
        )
        await send2({"type": "http.response.body", "body": b""})


def on_script_error(exc: BaseException) -> bool:
    """Any uncaught error in a page: a short Chinese message and a reference id; the traceback to the log."""
    from zwgk.dashboard.safe import internal_error

    internal_error(exc)
    return True


def streamlit_config() -> dict[str, Any]:
    """Streamlit options of the dashboard: no error details or data export in the browser."""
    return {
        "server.headless": True,
        "browser.gatherUsageStats": False,
        "server.fileWatcherType": "none",
        "server.runOnSave": False,
        "global.developmentMode": False,
        "client.toolbarMode": "minimal",
        "client.showErrorDetails": "none",
        "client.disableDataExport": True,  # the grid's own CSV/clipboard bypass the neutralised exports
        "server.enableXsrfProtection": True,
        "server.enableCORS": True,
        "server.maxUploadSize": 1,
    }


def build_app() -> Any:
    """The ASGI app: Streamlit's, with the login routes and :class:`Front` around it."""
    import streamlit as st
    from starlette.middleware import Middleware

    from zwgk.dashboard import APP_PATH

    return st.App(
        str(APP_PATH),
        routes=[
            Route(LOGIN_PATH, login_get, methods=["GET"]),
            Route(LOGIN_PATH, login_post, methods=["POST"]),
            Route(LOGOUT_PATH, logout, methods=["GET", "POST"]),
        ],
        middleware=[Middleware(Front)],
        on_script_error=on_script_error,
    )


def main(argv: list[str] | None = None) -> None:
    """``python -m zwgk.dashboard.server --host H --port P`` (what ``zwgk dashboard`` runs)."""
    parser = argparse.ArgumentParser(description="zwgk dashboard server (use `zwgk dashboard`)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8501)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    url = db_url()
    auth.secret(url)  # create it now, not inside the first login
    db = database()
    users.warm_dummy_hash(db)  # the first unknown name costs no more than the rest
    sys.argv = [sys.argv[0]]
    build_app().run(config={**streamlit_config(), "server.address": args.host, "server.port": args.port})


if __name__ == "__main__":
    main()
