"""``zwgk dashboard`` (start the Streamlit app) and ``zwgk users …`` (manage its logins)."""

from __future__ import annotations

import sys

import typer

from zwgk.model import ZwgkError

users_app = typer.Typer(
    help="Dashboard users: leader, evaluator, department (bound to its units).", no_args_is_help=True
)

DB_OPTION = typer.Option(None, "--db", help="Database URL or SQLite path (default data/zwgk.db, or $ZWGK_DB).")


def _db(url: str | None):
    from zwgk.storage import Database

    return Database.open(url)


def _read_password(password: str | None, password_stdin: bool) -> str:
    if password is not None and password_stdin:
        raise ZwgkError("give either --password or --password-stdin, not both")
    if password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ZwgkError("--password-stdin: nothing on standard input")
        return line.rstrip("\r\n")
    if password is not None:
        return password
    return typer.prompt("密码 password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option(..., "--role", help="leader, evaluator or department."),
    unit: list[str] | None = typer.Option(None, "--unit", help="Unit id a department user may see (repeatable)."),
    display_name: str = typer.Option("", "--display-name", help="Name shown in the dashboard."),
    password: str | None = typer.Option(
        None, "--password", help="Password (visible in shell history: prefer --password-stdin)."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
    db: str | None = DB_OPTION,
) -> None:
    """Add a dashboard user.  Example: zwgk users add wang --role department --unit 1101 --password-stdin"""
    from zwgk.storage import users

    database = _db(db)
    secret = _read_password(password, password_stdin)
    user = users.add_user(database, name, secret, role, unit or [], display_name)
    typer.echo(
        f"已添加用户 added {user.username} ({user.role}{': ' + ', '.join(user.unit_ids) if user.unit_ids else ''})"
    )
    missing = users.unknown_units(database, user.unit_ids)
    if missing:
        typer.secho(
            f"注意 warning: unit ids not in the registry (yet): {', '.join(missing)}", fg=typer.colors.YELLOW, err=True
        )


@users_app.command("list")
def users_list(db: str | None = DB_OPTION) -> None:
    """List users with their role, units and lock state."""
    from zwgk.storage import users, utcnow

    now = utcnow()
    rows = users.list_users(_db(db))
    if not rows:
        typer.echo("没有用户 no users (add one with `zwgk users add NAME --role leader`)")
        return
    for u in rows:
        locked = f"  locked until {users.local_time(u.locked_until)}" if u.locked_until and u.locked_until > now else ""
        units = f"  units: {', '.join(u.unit_ids)}" if u.unit_ids else ""
        typer.echo(f"{u.username}\t{u.role}{units}{locked}")


@users_app.command("passwd")
def users_passwd(
    name: str = typer.Argument(...),
    password: str | None = typer.Option(None, "--password", help="New password."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the new password from stdin."),
    db: str | None = DB_OPTION,
) -> None:
    """Set a new password (also unlocks the account)."""
    from zwgk.storage import users

    database = _db(db)
    if users.get_user(database, name) is None:
        raise ZwgkError(f"no user {name!r} (see `zwgk users list`)")
    users.set_password(database, name, _read_password(password, password_stdin))
    typer.echo(f"已更新密码 password changed for {name}")


@users_app.command("remove")
def users_remove(name: str = typer.Argument(...), db: str | None = DB_OPTION) -> None:
    """Remove a user (their open dashboard sessions end at their next click)."""
    from zwgk.storage import users

    users.remove_user(_db(db), name)
    typer.echo(f"已删除用户 removed {name}")


def dashboard(
    db: str | None = DB_OPTION,
    port: int = typer.Option(8501, "--port", help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (0.0.0.0 exposes it to the network)."),
    trust_proxy: bool = typer.Option(
        False,
        "--trust-proxy",
        help="Behind nginx on this host: take the client address (login throttling) "
        "from X-Real-IP and https from X-Forwarded-Proto.",
    ),
) -> None:
    """Start the dashboard: 总览 (rankings), 单位详情, 评估工作台 (review), 政府信息公开年报 (the 年报
    a round read, its tables and REPORT-* checks), 政务新媒体 (accounts, last post, status),
    整改清单, 存档证据 and 年度考核; each role sees the pages and units it may.

    Streamlit runs behind zwgk's own front in the same process: login form, signed session
    cookie, security headers (CSP, frame-ancestors), /_stcore/metrics closed.  SIGTERM and
    Ctrl-C stop it cleanly.
    """
    from zwgk.dashboard import launch
    from zwgk.dashboard.downloads import pdf_font_problem
    from zwgk.storage import Database, resolve_url, users

    database = Database.open(db)  # fails clearly now, not inside Streamlit
    if not users.list_users(database):
        typer.secho("注意: 还没有用户，请先 `zwgk users add NAME --role leader` / no users yet", fg=typer.colors.YELLOW)
    problem = pdf_font_problem()
    if problem:
        typer.secho(f"注意: {problem}", fg=typer.colors.YELLOW, err=True)
    typer.echo(f"仪表盘 dashboard: http://{host}:{port}  数据库 database: {database.url}  (Ctrl-C 退出 to stop)")
    proc = launch(resolve_url(db), port=port, host=host, block=True, trust_proxy=trust_proxy)
    raise typer.Exit(proc.returncode or 0)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root zwgk app."""
    app.command("dashboard")(dashboard)
    app.add_typer(users_app, name="users")
