"""Sign-in and the signed-in user, kept in Streamlit's session state."""
from __future__ import annotations

import threading
from typing import Callable

import streamlit as st

from access import audit, users
from foundation.settings import get_settings

USER_KEY = "user"


def current_user() -> users.User | None:
    return st.session_state.get(USER_KEY)


def sign_in_form() -> None:
    """The sign-in page: a form checked against the users file (scrypt hashes)."""
    st.title("huntRED analytics")
    path = get_settings().users_path
    if not path.exists():
        st.warning("No users exist yet. Run `huntred users init` (done by `make demo`) to create the demo users.")
        return
    with st.form("sign_in"):
        username = st.text_input("Username", key="sign_in_username")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        user = _checked_sign_in(path, username, password)
        if user is not None:
            st.session_state[USER_KEY] = user
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


def _audit(actor: str, role: str, action: str, status: int, params: dict) -> None:

    audit.record(get_settings().audit_dir, actor=actor, role=role, scope="-", action=action, resource="dashboard/sign_in",
                 params=params, status=status)


def sign_out() -> None:
    for key in list(st.session_state):
        del st.session_state[key]


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
