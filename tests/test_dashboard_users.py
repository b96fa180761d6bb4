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
    r = runner.invoke(
        app,
        ["users", "add", "zhao", "--role", "department", "--unit", "dept-a", "--password-stdin", "--db", db_url],
        input="first-password\n",
    )
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


def test_parallel_wrong_passwords_are_each_counted(db):
    """16 guesses at once: every one is counted (one atomic statement) or refused by the block."""
    import threading

    users.add_user(db, "li", "right-password", "evaluator", rounds=4)
    barrier = threading.Barrier(16)
    outcomes: list[str] = []

    def guess(i: int) -> None:
        barrier.wait()
        try:
            users.authenticate(db, "li", f"wrong-{i:02d}-guess", client="10.0.0.9")
        except users.AccountLocked:
            outcomes.append("blocked")
        except users.AuthError:
            outcomes.append("wrong")

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 16
    assert users.failures(db, users.client_key("10.0.0.9")) == 16  # every attempt, refused or not
    counted = users.failures(db, users.account_key("li"))
    # "blocked" answers: the counted guesses from the 5th on, plus those refused before any check
    refused = sum(1 for o in outcomes if o == "blocked") - max(0, counted - users.MAX_FAILURES + 1)
    assert counted + refused == 16 and counted >= users.MAX_FAILURES
    with pytest.raises(users.AccountLocked):
        users.authenticate(db, "li", "right-password")


def test_unknown_names_are_throttled_and_refused_exactly_like_real_ones(db):
    users.add_user(db, "li", "right-password", "evaluator", rounds=4)
    now = dt.datetime(2026, 11, 24, 2, 0, 0)  # 10:00 in Beijing
    msgs = {}
    for name in ("li", "nobody-here"):
        for _ in range(users.MAX_FAILURES - 1):
            with pytest.raises(users.AuthError):
                users.authenticate(db, name, "bad-password", now=now)
        with pytest.raises(users.AccountLocked) as exc:
            users.authenticate(db, name, "bad-password", now=now)
        msgs[name] = str(exc.value)
    assert msgs["li"] == msgs["nobody-here"]
    assert "10:05（北京时间）" in msgs["li"]  # local time, not UTC


def test_unknown_name_is_checked_against_a_hash_of_the_stored_cost(db):
    users.add_user(db, "li", "right-password", "evaluator", rounds=6)
    with db.session() as s:
        cost = users._stored_cost(s)
    assert cost == 6
    assert users._dummy_hash(cost).startswith(b"$2b$06$")


def test_backoff_grows_and_is_capped():
    steps = [users.backoff(n) for n in range(users.MAX_FAILURES - 1, users.MAX_FAILURES + 8)]
    assert steps[0] == dt.timedelta(0)
    assert steps[1] == dt.timedelta(minutes=users.LOCK_MINUTES) and steps[2] == 2 * steps[1]
    assert max(steps) == users.MAX_BLOCK


def test_a_trusted_device_is_not_locked_out_by_strangers_but_its_client_limit_holds(db):
    users.add_user(db, "leader", "leader-password", "leader", rounds=4)
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(users.AuthError):
            users.authenticate(db, "leader", "guess-guess", client="203.0.113.7")
    with pytest.raises(users.AccountLocked):  # a browser that never logged in as her
        users.authenticate(db, "leader", "leader-password", client="198.51.100.2")
    user = users.authenticate(db, "leader", "leader-password", client="198.51.100.2", trusted_device=True)
    assert user.username == "leader"
    for _ in range(users.CLIENT_MAX_FAILURES):
        with pytest.raises(users.AuthError):
            users.authenticate(db, "someone", "guess-guess", client="198.51.100.9")
    with pytest.raises(users.AccountLocked, match="本机"):
        users.authenticate(db, "leader", "leader-password", client="198.51.100.9", trusted_device=True)


def test_sessions_end_on_logout_removal_password_change_and_lifetime(db):
    users.add_user(db, "wang", "wang-password", "leader", rounds=4)
    now = dt.datetime(2026, 11, 24, 10, 0, 0)
    token = users.create_session(db, "wang", "127.0.0.1", now=now)
    assert users.session_user(db, token, now=now)[1].username == "wang"
    assert users.session_user(db, token + "x", now=now) is None
    busy = now
    while busy < now + users.SESSION_LIFETIME - dt.timedelta(minutes=30):  # active all day …
        busy += dt.timedelta(minutes=30)
        assert users.session_user(db, token, now=busy) is not None
    assert users.session_user(db, token, now=now + users.SESSION_LIFETIME) is None  # … still ends
    idle = users.create_session(db, "wang", now=now)
    assert users.session_user(db, idle, now=now + users.SESSION_IDLE + dt.timedelta(minutes=1)) is None
    out = users.create_session(db, "wang")
    users.end_session(db, out)
    assert users.session_user(db, out) is None
    changed = users.create_session(db, "wang")
    users.set_password(db, "wang", "new-wang-password", rounds=4)
    assert users.session_user(db, changed) is None
    removed = users.create_session(db, "wang")
    sid = users.session_user(db, removed)[0].id
    users.remove_user(db, "wang")
    assert users.session_user(db, removed) is None and users.session_by_id(db, sid) is None
