"""Dashboard users: bcrypt hashes, roles, lockout after failed logins, the `zwgk users` commands."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from zwgk.cli import app
from zwgk.model import ZwgkError
from zwgk.storage import users
from zwgk.storage.tables import UserRow


def test_password_is_stored_as_bcrypt_hash_not_plain(db):
    users.add_user(db, "wang", "correct-horse", "leader", rounds=4)
    with db.session() as s:
        stored = s.scalar(select(UserRow.password_hash).where(UserRow.username == "wang"))
    assert stored.startswith("$2b$")
    assert "correct-horse" not in stored
    assert users.authenticate(db, "wang", "correct-horse").role == "leader"


def test_wrong_password_and_unknown_user_are_refused_alike(db):
    users.add_user(db, "wang", "correct-horse", "leader", rounds=4)
    with pytest.raises(users.AuthError) as wrong:
        users.authenticate(db, "wang", "wrong-horse")
    with pytest.raises(users.AuthError) as unknown:
        users.authenticate(db, "nobody", "correct-horse")
    assert str(wrong.value) == str(unknown.value)  # no hint which names exist


def test_five_failures_lock_the_account_even_for_the_right_password(db):
    users.add_user(db, "li", "right-password", "evaluator", rounds=4)
    now = dt.datetime(2026, 11, 24, 10, 0, 0)
    for _ in range(users.MAX_FAILURES - 1):
        with pytest.raises(users.AuthError) as exc:
            users.authenticate(db, "li", "bad-password", now=now)
        assert not isinstance(exc.value, users.AccountLocked)
    with pytest.raises(users.AccountLocked):
        users.authenticate(db, "li", "bad-password", now=now)
    with pytest.raises(users.AccountLocked):
        users.authenticate(db, "li", "right-password", now=now + dt.timedelta(minutes=1))
    later = now + dt.timedelta(minutes=users.LOCK_MINUTES, seconds=1)
    assert users.authenticate(db, "li", "right-password", now=later).username == "li"
    assert users.get_user(db, "li").failed_logins == 0


def test_success_resets_the_failure_count(db):
    users.add_user(db, "li", "right-password", "evaluator", rounds=4)
    for _ in range(users.MAX_FAILURES - 1):
        with pytest.raises(users.AuthError):
            users.authenticate(db, "li", "bad-password")
    users.authenticate(db, "li", "right-password")
    with pytest.raises(users.AuthError) as exc:
        users.authenticate(db, "li", "bad-password")
    assert not isinstance(exc.value, users.AccountLocked)


def test_roles_and_units_are_validated(db):
    with pytest.raises(ZwgkError, match="role"):
        users.add_user(db, "x", "long-enough", "admin", rounds=4)
    with pytest.raises(ZwgkError, match="--unit"):
        users.add_user(db, "x", "long-enough", "department", [], rounds=4)
    with pytest.raises(ZwgkError, match="only to department"):
        users.add_user(db, "x", "long-enough", "leader", ["u1"], rounds=4)
    with pytest.raises(ZwgkError, match="too short"):
        users.add_user(db, "x", "short", "leader", rounds=4)
    with pytest.raises(ZwgkError, match="too long"):
        users.add_user(db, "x", "长" * 30, "leader", rounds=4)  # 90 bytes > bcrypt's 72
    users.add_user(db, "x", "long-enough", "department", ["u1", "u1", "u2"], rounds=4)
    assert users.get_user(db, "x").unit_ids == ("u1", "u2")
    with pytest.raises(ZwgkError, match="already exists"):
        users.add_user(db, "x", "long-enough", "leader", rounds=4)


def test_users_cli_add_list_passwd_remove(db_url, db):
    runner = CliRunner()
    r = runner.invoke(app, ["users", "add", "zhao", "--role", "department", "--unit", "dept-a",
                            "--password-stdin", "--db", db_url], input="first-password\n")
    assert r.exit_code == 0, r.output
    assert users.authenticate(db, "zhao", "first-password").unit_ids == ("dept-a",)
    r = runner.invoke(app, ["users", "list", "--db", db_url])
    assert r.exit_code == 0 and "zhao" in r.output and "department" in r.output and "dept-a" in r.output
    assert "first-password" not in r.output

    for _ in range(users.MAX_FAILURES):
        with pytest.raises(users.AuthError):
            users.authenticate(db, "zhao", "nope-nope")
    assert "locked until" in runner.invoke(app, ["users", "list", "--db", db_url]).output
    r = runner.invoke(app, ["users", "passwd", "zhao", "--password-stdin", "--db", db_url], input="second-password\n")
    assert r.exit_code == 0, r.output
    assert users.authenticate(db, "zhao", "second-password").username == "zhao"  # passwd also unlocks
    with pytest.raises(users.AuthError):
        users.authenticate(db, "zhao", "first-password")

    r = runner.invoke(app, ["users", "remove", "zhao", "--db", db_url])
    assert r.exit_code == 0, r.output
    assert users.get_user(db, "zhao") is None
    r = runner.invoke(app, ["users", "remove", "zhao", "--db", db_url])
    assert r.exit_code != 0 and "no user" in str(r.exception)


def test_users_cli_refuses_bad_role_with_clear_message(db_url):
    r = CliRunner().invoke(app, ["users", "add", "q", "--role", "boss", "--password", "long-enough", "--db", db_url])
    assert r.exit_code != 0
    assert "leader, evaluator, department" in str(r.exception)
