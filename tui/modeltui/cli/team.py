"""`modeltui team init | set | status`: the team's caps and members live in the team database;
`init` and `set` need the admin's URL (the database refuses them to a member's role)."""

from __future__ import annotations

import json
import os

from modeltui.cli.tables import _table
from modeltui.errors import UsageError
from modeltui.vocab.words import money as _money


def _url(args) -> tuple[str, str]:
    """(database URL, member name) from --database, else the config's [team], else the env."""
    from modeltui.settings import config as config_mod

    cfg = config_mod.load(args.config)
    url = getattr(args, "database", None) or cfg.team.url()
    if not url:
        raise UsageError("no team database: set [team] database in the config or MODELTUI_TEAM_DATABASE "
                         "(or pass --database)")
    return url, cfg.team.member_name()


def _cap(text: str) -> tuple[str, float]:
    name, _, usd = text.partition("=")
    try:
        value = float(usd)
    except ValueError:
        value = -1.0
    if not name or not value >= 0:
        raise UsageError(f"--member-cap: '{text}' is not NAME=USD (e.g. alice=20)")
    return name, value


async def cmd_team(args) -> int:
    from modeltui.team import TeamBook, TeamDB, admin, shown

    url, me = _url(args)
    db = TeamDB(url)
    try:
        if args.team_command == "init":
            start, end = await admin.init(db, args.monthly_usd, args.member_monthly_usd, me)
            what = "created" if start == 0 else ("upgraded" if start < end else "up to date")
            print(f"team database {shown(url)}: schema {end} ({what}); team cap {_money(args.monthly_usd)} a month, "
                  f"each member {'no cap' if args.member_monthly_usd is None else _money(args.member_monthly_usd)}; "
                  f"{me} is its admin")
            return 0
        if args.team_command == "set":
            return await _set(db, args)
        await db.check_version()
        figs = await TeamBook(db, me).figures()
    finally:
        await db.close()
    if args.json:
        print(json.dumps({**figs.as_dict(), "member": me}))
        return 0
    print(f"team month (utc): {_money(figs.spent_usd)} of {_money(figs.monthly_usd)}; reserved now "
          f"{_money(figs.reserved_usd)}; left {_money(figs.left_usd)}")
    _table("this month by member", ["member", "role", "spent", "reserved", "cap", "left", "calls", "lost"],
           [[m.member + (" (you)" if m.member == me else ""), m.role, _money(m.spent_usd), _money(m.reserved_usd),
             "no cap" if m.monthly_usd is None else _money(m.monthly_usd),
             "-" if m.left_usd is None else _money(m.left_usd), m.calls, m.lost] for m in figs.members])
    if figs.by_model:
        _table("this month by model", ["model", "calls", "cost"],
               [[r["model"], r["calls"], "unpriced" if r["cost_usd"] is None else _money(r["cost_usd"])]
                for r in figs.by_model])
    return 0


async def _set(db, args) -> int:
    from modeltui.team import admin

    if not any(x is not None for x in (args.monthly_usd, args.member_monthly_usd, args.add_member, args.member_cap,
                                       args.remove_member)):
        raise UsageError("team set: nothing to change (--monthly-usd, --member-monthly-usd, --add-member, --member-cap, "
                         "--remove-member)")
    await db.check_version()
    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if not password:
            raise UsageError(f"--password-env: ${args.password_env} is not set")
    await admin.set_caps(db, args.monthly_usd, args.member_monthly_usd)
    if args.add_member:
        await admin.add_member(db, args.add_member, password=password)
        print(f"member {args.add_member} added" + (" (its role's password set)" if password else ""))
    for text in args.member_cap or []:
        name, usd = _cap(text)
        if not await admin.set_member_cap(db, name, usd):
            raise UsageError(f"--member-cap: {name} is not a member (add it with --add-member)")
        print(f"{name}: {_money(usd)} a month")
    for name in args.remove_member or []:
        if (why := await admin.remove_member(db, name)) is not None:
            raise UsageError(f"--remove-member: {why}")
        print(f"member {name} removed: its role may no longer log in or reserve; what it spent this month stays "
              "in the team's figures")
    if args.monthly_usd is not None:
        print(f"team cap: {_money(args.monthly_usd)} a month")
    if args.member_monthly_usd is not None:
        print(f"each member (unless set apart): {_money(args.member_monthly_usd)} a month")
    return 0


def add_parser(sub, positive) -> None:
    """The `team` subcommands (cli/parser.py calls this once)."""
    t = sub.add_parser("team", help="team mode: the shared budget in PostgreSQL (init, set, status)")
    ts = t.add_subparsers(dest="team_command", metavar="TEAM_COMMAND", required=True)
    i = ts.add_parser("init", help="create (or upgrade) the schema and set the caps (admin URL)")
    i.add_argument("--monthly-usd", dest="monthly_usd", type=positive, required=True, help="the team's monthly cap")
    i.add_argument("--member-monthly-usd", dest="member_monthly_usd", type=positive, help="each member's default cap")
    s = ts.add_parser("set", help="change caps, add or remove members (admin URL)")
    s.add_argument("--monthly-usd", dest="monthly_usd", type=positive)
    s.add_argument("--member-monthly-usd", dest="member_monthly_usd", type=positive)
    s.add_argument("--add-member", dest="add_member", metavar="NAME", help="a member and its PostgreSQL login role")
    s.add_argument("--password-env", dest="password_env", metavar="VAR", help="the new member's password, from $VAR")
    s.add_argument("--member-cap", dest="member_cap", action="append", metavar="NAME=USD", help="one member's cap")
    s.add_argument("--remove-member", dest="remove_member", action="append", metavar="NAME",
                   help="a member's role may no longer log in or reserve (its spend stays counted)")
    st = ts.add_parser("status", help="this month's spend per member and per model, reserved, caps, left")
    st.add_argument("--json", action="store_true")
    for p in (i, s, st):
        p.add_argument("--database", metavar="URL", help="default: [team] database or $MODELTUI_TEAM_DATABASE")
