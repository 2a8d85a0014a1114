"""Sign-in and the signed-in user: a signed session token in session state and in a browser cookie.

The cookie is what makes a reload (F5), a new tab or a deep link stay signed in: Streamlit starts a new session
for each, and reads the browser's cookies when it connects. The token (``access.sessions``) is checked on every
run, from session state or the cookie; an expired, tampered or revoked token, or one whose user changed their
password or was removed, ends at the sign-in form. Streamlit cannot set a cookie from the server, so a small
script writes it (and clears it on the sign-in page). Without a session key (``HUNTRED_SESSION_KEY``) sign-in
still works, for this tab only.
"""
from __future__ import annotations

import json
import threading
import time
from typing import Callable

import streamlit as st

from access import audit, sessions, users
from foundation.settings import get_settings

USER_KEY = "user"
TOKEN_KEY = "session_token"
COOKIE = "huntred_session"
#: set when this tab's session ended (signed out, expired): the browser may hold a cookie set after it connected,
#: which st.context.cookies (read at connection) does not show
_CLEAR_COOKIE = "_clear_session_cookie"


def _session_key() -> bytes | None:
    key = get_settings().session_key
    return key.get_secret_value().encode() if key and key.get_secret_value() else None


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - no browser connection: no cookie
        return None
    return value if isinstance(value, str) and value else None  # AppTest answers a stand-in object


def current_user() -> users.User | None:
    """The signed-in user of this run, the session token checked again (it may have expired since the last run)."""
    key, token = _session_key(), st.session_state.get(TOKEN_KEY)
    resumed = token is None
    token = token or _cookie()
    if key is None or token is None:
        return st.session_state.get(USER_KEY)  # signed in in this tab without a key (or by a test's session state)
    settings = get_settings()
    user = sessions.resume(key, token, users_path=settings.users_path,
                           revoked=sessions.RevokedSessions(settings.revoked_sessions_path))
    if user is None:
        for k in (USER_KEY, TOKEN_KEY):
            st.session_state.pop(k, None)
        st.session_state[_CLEAR_COOKIE] = True
        return None
    if resumed:  # a new browser session (reload, new tab, deep link) signed in by its cookie
        _audit(f"user:{user.username}", user.role, "session_resumed", 200, {"client": _client_address()},
               "dashboard/session")
    st.session_state[USER_KEY], st.session_state[TOKEN_KEY] = user, token
    return user


def _set_cookie(token: str | None) -> None:
    """Write (or, for None, delete) the session cookie in the browser. SameSite=Strict: another site's page never
    sends it, so it cannot open a session here on the user's behalf."""
    if token is None:
        value, max_age = "", 0
    else:
        claims = sessions.verify(_session_key(), token)
        value, max_age = token, max(0, int(claims.expires_at - time.time())) if claims else 0
    script = (f"document.cookie = {json.dumps(COOKIE)} + '=' + {json.dumps(value)} + '; Path=/; Max-Age={max_age}; "
              "SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');")
    with st.sidebar:
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width="content")


def remember_session() -> None:
    """After sign-in, give the browser the token (each run of the session until the browser reconnects with it)."""
    token = st.session_state.get(TOKEN_KEY)
    if token and _cookie() != token:
        _set_cookie(token)


def sign_in_form() -> None:
    """The sign-in page: a form checked against the users file (scrypt hashes)."""
    if _cookie() is not None or st.session_state.get(_CLEAR_COOKIE):  # a session that no longer holds
        _set_cookie(None)
    st.title("huntRED analytics")
    path = get_settings().users_path
    if not path.exists():
        st.warning("No users exist yet. Run `huntred users init` (done by `make demo`) to create the demo users.")
        return
    if _session_key() is None:
        st.caption("No session key is set (HUNTRED_SESSION_KEY; `huntred init` writes one): a reload will sign you out.")
    with st.form("sign_in"):
        username = st.text_input("Username", key="sign_in_username")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        user = _checked_sign_in(path, username, password)
        if user is not None:
            st.session_state[USER_KEY] = user
            st.session_state.pop(_CLEAR_COOKIE, None)
            key, found = _session_key(), users.find(path, user.username)
            if key is not None and found is not None:
                st.session_state[TOKEN_KEY] = sessions.issue(key, user.username, found[1],
                                                             lifetime=get_settings().session_seconds)
            st.rerun()


def _client_address() -> str | None:
    """The browser's address as the server sees it (behind a reverse proxy, the proxy's: all its users then
    share one client count, so such a deployment should raise MAX_CLIENT_FAILURES or rate-limit at the proxy)."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context: counted as one unknown client
        return None
    # only a real address counts (AppTest has no browser and answers a stand-in object)
    return address if isinstance(address, str) and address else None


def _checked_sign_in(path, username: str, password: str) -> users.User | None:
    """The password checked unless this user or client is locked out; every attempt is audited."""
    throttle, client = users.sign_in_throttle(), _client_address()
    who = f"user:{users.normal_username(username)[:40]}"
    refusal = throttle.refusal(username, client)
    if refusal is not None:  # refused whatever the password, which is not even checked
        _audit(who, "-", "sign_in_locked", 429, {"client": client, "locked_by": refusal.by, "seconds": round(refusal.seconds)})
        st.error(refusal.message())
        return None
    user = users.authenticate(path, username, password)
    if user is None:
        throttle.failed(username, client)
        _audit(who, "-", "sign_in_failed", 401, {"client": client})
        refusal = throttle.refusal(username, client)
        st.error("Wrong username or password." + (" " + refusal.message() if refusal else ""))
        return None
    throttle.succeeded(username)
    _audit(f"user:{user.username}", user.role, "sign_in", 200, {"client": client})
    return user


def _audit(actor: str, role: str, action: str, status: int, params: dict, resource: str = "dashboard/sign_in") -> None:

    audit.record(get_settings().audit_dir, actor=actor, role=role, scope="-", action=action, resource=resource,
                 params=params, status=status)


def sign_out() -> None:
    """End the session: its token is revoked (a copy of the cookie no longer works) and this tab forgets it; the
    sign-in page then clears the cookie. The filters stay in the URL."""
    key, token, user = _session_key(), st.session_state.get(TOKEN_KEY), st.session_state.get(USER_KEY)
    claims = sessions.verify(key, token) if key and token else None
    if claims is not None:
        sessions.RevokedSessions(get_settings().revoked_sessions_path).revoke(claims)
    if user is not None:
        _audit(f"user:{user.username}", user.role, "sign_out", 200, {"client": _client_address()}, "dashboard/session")
    for k in list(st.session_state):
        del st.session_state[k]
    st.session_state[_CLEAR_COOKIE] = True


def private_download(where, label: str, make: Callable[[], bytes], *, file_name: str, mime: str, resource: str,
                     key: str, **button) -> None:
    """A download button whose file exists only from its click until shortly after.

    Streamlit serves a download button's data at ``/media/<id>`` to any HTTP client, session or not,
    for as long as the page shows the button: a client's export would be there from the moment the
    page rendered. Here the bytes are made by ``make`` only when the user clicks (Streamlit's deferred
    download), the export is audited then, and the stored file is removed from the media endpoint
    ``download_expiry_seconds`` later (the browser fetches it at once). Streamlit has no way to tie a
    media URL to a session, so within those seconds whoever has the URL (unguessable: a hash of the
    contents) could fetch it too.
    """
    user = current_user()  # read now: the callable runs outside the script, where session state is not at hand
    settings = get_settings()

    def generate() -> bytes:

        if user is None:
            raise RuntimeError("no signed-in user")  # the button is only drawn for one; never serve anonymously
        data = make()
        audit.record(settings.audit_dir, actor=f"user:{user.username}", role=user.role, scope=user.scope.label,
                     action="export", resource=resource, params={"file": file_name}, status=200, durable=True)
        _expire_media(data, mime, file_name, settings.download_expiry_seconds)
        return data

    where.download_button(label, generate, file_name=file_name, mime=mime, key=key, on_click="ignore", **button)


def _expire_media(data: bytes, mime: str, file_name: str, seconds: float) -> None:
    """Remove the file Streamlit will store for these bytes from its media endpoint after ``seconds``.

    Streamlit keeps a generated download until two later script runs of any session have ended, so an
    idle dashboard would keep it indefinitely. Its storage names a file by a hash of bytes, type and
    name (the same function is used here, so the id matches); this reaches into Streamlit's runtime,
    and tests/apps/test_browser.py checks in a real browser that the URL stops being served.
    """

    from streamlit import runtime
    from streamlit.runtime.memory_media_file_storage import _calculate_file_id

    storage = runtime.get_instance().media_file_mgr._storage
    file_id = _calculate_file_id(data, mime, file_name)
    timer = threading.Timer(seconds, storage.delete_file, args=(file_id,))
    timer.daemon = True
    timer.start()
