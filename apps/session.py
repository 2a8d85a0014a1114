"""Sign-in and the signed-in user, kept in Streamlit's session state."""
from __future__ import annotations

import streamlit as st

from huntred import auth
from huntred.settings import get_settings

USER_KEY = "user"


def current_user() -> auth.User | None:
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


def _checked_sign_in(path, username: str, password: str) -> auth.User | None:
    """The password checked unless this user or client is locked out; every attempt is audited."""
    throttle, client = auth.sign_in_throttle(), _client_address()
    who = f"user:{auth.normal_username(username)[:40]}"
    refusal = throttle.refusal(username, client)
    if refusal is not None:  # refused whatever the password, which is not even checked
        _audit(who, "-", "sign_in_locked", 429, {"client": client, "locked_by": refusal.by, "seconds": round(refusal.seconds)})
        st.error(refusal.message())
        return None
    user = auth.authenticate(path, username, password)
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
    from huntred import audit

    audit.record(get_settings().audit_dir, actor=actor, role=role, scope="-", action=action, resource="dashboard/sign_in",
                 params=params, status=status)


def sign_out() -> None:
    for key in list(st.session_state):
        del st.session_state[key]


def audit_download(file_name: str, resource: str):
    """A download button's on_click: the audit log records who took which file (as the API does for its exports)."""
    from huntred import audit

    def record() -> None:
        user = current_user()
        if user is not None:
            audit.record(get_settings().audit_dir, actor=f"user:{user.username}", role=user.role, scope=user.scope.label,
                         action="export", resource=resource, params={"file": file_name}, status=200, durable=True)

    return record
