"""政务新媒体: the account registry and a platform export imported (CSV and XLSX), RSS/Atom feeds
fetched from a real loopback server through the crawler's fetcher, the MEDIA-* rules on what a
round sees, and the SSRF policy on feed addresses."""

from __future__ import annotations

import datetime as dt
import socket
import threading

import pytest
from aiohttp import web
from typer.testing import CliRunner

from tests.fixtures_indicators import SiteBuilder, by_rule
from zwgk.crawlers import CrawlSettings
from zwgk.indicators import evaluate, load_rubric
from zwgk.media import fetch_feeds, import_accounts, import_posts, parse_feed
from zwgk.model import is_review_candidate
from zwgk.storage.media import list_accounts, media_facts

AS_OF = dt.date(2026, 11, 20)
EVENING = dt.datetime(2026, 11, 19, 23, 0)


def _rss(days: list[int]) -> str:
    from email.utils import format_datetime

    items = "".join(
        f"<item><title>第{i}期</title><link>http://mp.example.invalid/{i}</link>"
        f"<pubDate>{format_datetime(dt.datetime.combine(AS_OF - dt.timedelta(days=d), dt.time(9), dt.UTC))}</pubDate></item>"
        for i, d in enumerate(days)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


ATOM = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>a</title>'
    '<entry><title>通报</title><link href="http://mp.example.invalid/a1"/><updated>2026-11-18T08:00:00Z</updated></entry>'
    "</feed>"
)
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss><channel><item><title>&lol3;</title>'
    "<pubDate>Wed, 18 Nov 2026 08:00:00 GMT</pubDate></item></channel></rss>"
)


@pytest.fixture(scope="module")
def feeds():
    """A real HTTP server on 127.0.0.1 serving feeds: fresh, stale, Atom, and 404/503 for the rest."""
    routes = {"/fresh.xml": _rss([1, 4, 9]), "/stale.xml": _rss([30, 45]), "/atom.xml": ATOM}

    async def handle(request: web.Request) -> web.Response:
        if request.path in routes:
            return web.Response(text=routes[request.path], content_type="application/rss+xml")
        if request.path == "/busy.xml":
            return web.Response(status=503)
        return web.Response(status=404, text="not found")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    import asyncio

    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def _registry(tmp_path, base: str, fmt: str = "csv"):
    rows = [
        ["单位编码", "平台", "账号名称", "运营主体", "主页", "订阅地址", "状态"],
        ["u-001", "微信公众号", "示例发布", "示例市政府办公室", "", f"{base}/fresh.xml", "在用"],
        ["u-001", "微博", "示例微博", "示例市政府办公室", "", f"{base}/stale.xml", "在用"],
        ["u-001", "头条号", "示例头条", "示例市政府办公室", "", f"{base}/gone.xml", "在用"],
        ["u-001", "客户端", "示例App", "示例市政府办公室", "", f"{base}/busy.xml", ""],
        ["u-001", "微信公众号", "旧号", "示例市政府办公室", "", f"{base}/gone2.xml", "已注销"],
        ["u-001", "抖音", "示例政务", "示例市政府办公室", "", "", "在用"],
        ["u-001", "", "无平台", "", "", "", ""],
        ["u-002", "快手", "脚本号", "", "javascript:alert(1)", "", ""],
    ]
    path = tmp_path / f"accounts.{fmt}"
    if fmt == "csv":
        path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8-sig")
    else:
        import openpyxl

        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)
        wb.save(path)
    return path


def _export(tmp_path):
    path = tmp_path / "douyin.csv"
    path.write_text(
        "发布时间,标题,链接,评论数,回复数\n"
        "2026-11-18 10:00,本周政务,https://www.douyin.example/v/1,3,3\n"
        "2026-11-02 10:00,政策问答,https://www.douyin.example/v/2,7,2\n"
        "不是日期,坏行,,1,0\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def loaded(db, tmp_path, feeds):
    report = import_accounts(db, _registry(tmp_path, feeds))
    assert (report.added, report.updated) == (6, 0) and [line for line, _ in report.errors] == [8, 9]
    posts = import_posts(db, _export(tmp_path), "u-001", "抖音", "示例政务", observed_until=EVENING)
    assert posts.added == 2 and [line for line, _ in posts.errors] == [4]
    results = {
        r.account: r
        for r in fetch_feeds(db, CrawlSettings(allow_private=True, retries=0, backoff_base=0.05), now=EVENING)
    }
    return db, results


def test_feeds_give_posts_and_existence(loaded):
    db, results = loaded
    assert {k: r.status for k, r in results.items()} == {
        "微信公众号:示例发布": "ok",
        "微博:示例微博": "ok",
        "头条号:示例头条": "gone",
        "客户端:示例App": "unverified",
    }
    assert results["微信公众号:示例发布"].posts == 3 and "404" in results["头条号:示例头条"].detail
    accounts = {a.key: a for a in list_accounts(db, "u-001")}
    assert accounts["微信公众号:旧号"].closed and accounts["微信公众号:旧号"].check_status == ""  # closed: not fetched


def _judge(db, as_of=AS_OF):
    ws = SiteBuilder(as_of=as_of)
    snap = ws.snapshot()
    snap.inputs["media"] = media_facts(db, "u-001", as_of)
    return evaluate(snap, load_rubric("national-2019"))


def test_media_rules(loaded):
    db, _ = loaded
    found = _judge(db)
    assert {f.subject for f in by_rule(found, "MEDIA-STALE")} == {"微博:示例微博"}
    [stale] = by_rule(found, "MEDIA-STALE")
    assert stale.severity == "veto" and stale.evidence["last_post"].startswith("2026-10-21")
    assert {f.subject for f in by_rule(found, "MEDIA-GONE")} == {"头条号:示例头条"}  # not the closed one
    [reply] = by_rule(found, "MEDIA-REPLY")
    assert reply.subject == "抖音:示例政务" and reply.evidence["open_comments"] == 5


def test_posts_known_only_up_to_an_old_date_are_not_judged(loaded):
    db, _ = loaded
    later = _judge(db, AS_OF + dt.timedelta(days=20))  # nobody fetched or imported since the 19th
    assert not by_rule(later, "MEDIA-STALE")
    assert not by_rule(_judge(db, AS_OF - dt.timedelta(days=45)), "MEDIA-GONE")  # a check 45 days after: too late


def test_an_account_with_no_post_at_all_is_a_review_candidate(db, tmp_path, feeds):
    path = tmp_path / "a.csv"
    path.write_text(f"单位编码,平台,账号名称,订阅地址\nu-001,微博,空号,{feeds}/empty.xml\n", encoding="utf-8")
    import_accounts(db, path)
    from zwgk.storage.media import add_posts

    [account] = list_accounts(db, "u-001")
    add_posts(db, account.id, [], EVENING)
    [f] = by_rule(_judge(db), "MEDIA-STALE")
    assert is_review_candidate(f.evidence)


def test_feed_addresses_obey_the_ssrf_policy(db, tmp_path, feeds):
    import_accounts(db, _registry(tmp_path, feeds))
    results = fetch_feeds(db, CrawlSettings(allow_private=False, retries=0, backoff_base=0.05), now=EVENING)
    assert results and all(r.status == "unverified" for r in results)  # loopback refused: never "gone"
    assert not [a for a in list_accounts(db) if a.observed_until]


def test_xlsx_registry_and_the_cli(db, db_url, tmp_path, feeds):
    from zwgk.cli import app

    out = CliRunner().invoke(app, ["media", "import-accounts", str(_registry(tmp_path, feeds, "xlsx")), "--db", db_url])
    assert out.exit_code == 0 and "added 6" in " ".join(out.output.split()), out.output
    out = CliRunner().invoke(
        app,
        [
            "media",
            "import-posts",
            str(_export(tmp_path)),
            "--unit",
            "u-001",
            "--platform",
            "抖音",
            "--name",
            "示例政务",
            "--through",
            "2026-11-19",
            "--db",
            db_url,
        ],
    )
    assert out.exit_code == 0 and "added 2" in " ".join(out.output.split()), out.output
    out = CliRunner().invoke(app, ["media", "fetch", "--allow-private", "--db", db_url])
    assert out.exit_code == 0 and "已不存在" in out.output, out.output
    out = CliRunner().invoke(app, ["media", "list", "--db", db_url])
    assert out.exit_code == 0 and "已注销" in out.output


def test_feed_parsing():
    assert [p.title for p in parse_feed(_rss([1, 2]))] == ["第0期", "第1期"]
    [entry] = parse_feed(ATOM)
    assert entry.posted_at == dt.datetime(2026, 11, 18, 8, 0) and entry.url == "http://mp.example.invalid/a1"
    assert parse_feed("not xml <") == [] and parse_feed("") == []
    bomb = parse_feed(BOMB)  # internal entities expand a bounded amount, never a billion laughs
    assert len(bomb) <= 1 and all(len(p.title) <= 500 for p in bomb)
