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
        user = auth.authenticate(path, username, password)
        if user is None:
            st.error("Wrong username or password.")
        else:
            st.session_state[USER_KEY] = user
            st.rerun()


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
