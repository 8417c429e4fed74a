"""The team database's schema: forward-only migrations, each in one transaction, numbered in
`modeltui.schema_version`. A schema from a newer modeltui is refused, not touched; an older
one is upgraded only by `modeltui team init` (the admin), never by a member's connection.

Who may do what is in the schema too: the group role `modeltui_member` may insert its own
reservations, calls and evidence (row-level security: `member = current_user`) and read
aggregates through SECURITY DEFINER functions; the tables' owner (the admin who ran `team
init`) alone changes caps and members. `reserve()` takes the team row's lock, charges expired
leases as lost, sums the month's spend and reservations of the team and of the member, and
inserts the reservation, in one statement's transaction: two laptops cannot both take the last
dollar. Times are the server's (`now()`), so laptops' clocks do not matter; the month is UTC.
"""

from __future__ import annotations

from modeltui.vocab import EvidenceSource, Status

SCHEMA = "modeltui"
MEMBER_ROLE = "modeltui_member"

_ROLES = f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{MEMBER_ROLE}') THEN
    CREATE ROLE {MEMBER_ROLE} NOLOGIN;
  END IF;
END $$"""

_TABLES = [
    "CREATE SCHEMA modeltui",
    "CREATE TABLE modeltui.schema_version (version integer NOT NULL)",
    """CREATE TABLE modeltui.team (
        id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        monthly_usd double precision NOT NULL CHECK (monthly_usd >= 0),
        member_monthly_usd double precision CHECK (member_monthly_usd >= 0))""",
    """CREATE TABLE modeltui.members (
        name text PRIMARY KEY,
        monthly_usd double precision CHECK (monthly_usd >= 0),  -- NULL: the team's member default
        role text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin')),
        added timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE modeltui.reservations (
        id bigserial PRIMARY KEY,
        member text NOT NULL REFERENCES modeltui.members (name),
        model text NOT NULL,
        amount_usd double precision NOT NULL CHECK (amount_usd >= 0),
        owner text NOT NULL,
        session text,
        ts timestamptz NOT NULL DEFAULT now(),
        expires timestamptz NOT NULL)""",
    """CREATE TABLE modeltui.calls (
        id bigserial PRIMARY KEY,
        member text NOT NULL REFERENCES modeltui.members (name),
        ts timestamptz NOT NULL DEFAULT now(),
        reservation_id bigint,  -- the reservation it settled (one: settling and charging both DELETE it first)
        session text, kind text, tier text, use_case text,
        model text NOT NULL, provider text,
        tokens_in integer, tokens_out integer, tokens_estimated boolean NOT NULL DEFAULT false,
        cost_usd double precision CHECK (cost_usd >= 0),  -- a member cannot write spend back
        status text NOT NULL,
        latency_ms double precision, error_kind text,
        prompt text, response text)""",  # texts only with [team] share_text = true
    "CREATE INDEX calls_ts ON modeltui.calls (ts)",
    """CREATE TABLE modeltui.evidence (
        id bigserial PRIMARY KEY,
        member text NOT NULL REFERENCES modeltui.members (name),
        ts timestamptz NOT NULL DEFAULT now(),
        model text NOT NULL, use_case text NOT NULL,
        source text NOT NULL,  -- thumb, vote, check, shadow, ...
        successes double precision NOT NULL, failures double precision NOT NULL)""",
]

_FUNCTIONS = [
    """CREATE FUNCTION modeltui.month_start() RETURNS timestamptz LANGUAGE sql STABLE
       AS $$ SELECT date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' $$""",
    # expired leases: their calls are charged as lost, at the reservation (the cap stays safe)
    """CREATE FUNCTION modeltui.charge_expired() RETURNS integer LANGUAGE sql SECURITY DEFINER
       SET search_path = modeltui, pg_temp AS $$
       WITH gone AS (DELETE FROM reservations WHERE expires < now() RETURNING *),
            lost AS (INSERT INTO calls (member, ts, reservation_id, session, kind, model, cost_usd, tokens_estimated,
                                        status, error_kind)
                     SELECT member, ts, id, session, 'chat', model, amount_usd, true, 'lost', 'lost' FROM gone
                     RETURNING 1)
       SELECT count(*)::integer FROM lost $$""",
    """CREATE FUNCTION modeltui.reserve(p_member text, p_model text, p_amount double precision, p_owner text,
                                        p_lease_s double precision, p_session text)
       RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = modeltui, pg_temp AS $$
       DECLARE cap double precision; mcap double precision; used double precision; mused double precision;
               rid bigint;
       BEGIN
         IF p_member <> session_user AND NOT pg_has_role(session_user, current_user, 'MEMBER') THEN
           RAISE EXCEPTION 'role % may not reserve for member %', session_user, p_member USING ERRCODE = '42501';
         END IF;
         SELECT monthly_usd, member_monthly_usd INTO cap, mcap FROM team WHERE id = 1 FOR UPDATE;
         IF NOT FOUND THEN
           RAISE EXCEPTION 'the team has no budget yet (modeltui team init)' USING ERRCODE = '55000';
         END IF;
         SELECT COALESCE(m.monthly_usd, mcap) INTO mcap FROM members m WHERE m.name = p_member;
         IF NOT FOUND THEN
           RAISE EXCEPTION 'member % is not in the team (modeltui team set --add-member)', p_member
             USING ERRCODE = '42501';
         END IF;
         PERFORM charge_expired();
         SELECT COALESCE(SUM(cost_usd), 0), COALESCE(SUM(cost_usd) FILTER (WHERE member = p_member), 0)
           INTO used, mused FROM calls WHERE ts >= month_start();
         SELECT used + COALESCE(SUM(amount_usd), 0), mused + COALESCE(SUM(amount_usd) FILTER (WHERE member = p_member), 0)
           INTO used, mused FROM reservations;
         IF used + p_amount > cap + 1e-12 OR (mcap IS NOT NULL AND mused + p_amount > mcap + 1e-12) THEN
           RETURN NULL;
         END IF;
         INSERT INTO reservations (member, model, amount_usd, owner, session, expires)
           VALUES (p_member, p_model, p_amount, p_owner, p_session, now() + make_interval(secs => p_lease_s))
           RETURNING id INTO rid;
         RETURN rid;
       END $$""",
    # aggregates a member may read (the rows themselves stay behind row-level security)
    """CREATE FUNCTION modeltui.member_totals()
       RETURNS TABLE (member text, role text, monthly_usd double precision, spent_usd double precision,
                      reserved_usd double precision, calls bigint, lost bigint, unpriced bigint)
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = modeltui, pg_temp AS $$
       SELECT m.name, m.role, COALESCE(m.monthly_usd, (SELECT member_monthly_usd FROM team WHERE id = 1)),
              COALESCE((SELECT SUM(cost_usd) FROM calls c WHERE c.member = m.name AND c.ts >= month_start()), 0),
              COALESCE((SELECT SUM(amount_usd) FROM reservations r WHERE r.member = m.name), 0),
              (SELECT count(*) FROM calls c WHERE c.member = m.name AND c.ts >= month_start()),
              (SELECT count(*) FROM calls c WHERE c.member = m.name AND c.ts >= month_start() AND status = 'lost'),
              (SELECT count(*) FROM calls c WHERE c.member = m.name AND c.ts >= month_start() AND cost_usd IS NULL)
       FROM members m ORDER BY m.name $$""",
    """CREATE FUNCTION modeltui.model_totals()
       RETURNS TABLE (model text, calls bigint, cost_usd double precision, unpriced bigint)
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = modeltui, pg_temp AS $$
       SELECT model, count(*), SUM(cost_usd), count(*) - count(cost_usd) FROM calls WHERE ts >= month_start()
       GROUP BY model ORDER BY COALESCE(SUM(cost_usd), -1) DESC $$""",
    # the other members' evidence about answers (their own is in each laptop's statistics)
    """CREATE FUNCTION modeltui.shared_evidence(p_since timestamptz, p_exclude text)
       RETURNS TABLE (use_case text, model text, successes double precision, failures double precision,
                      ts double precision)
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = modeltui, pg_temp AS $$
       SELECT use_case, model, successes, failures, extract(epoch FROM ts)::double precision FROM evidence
       WHERE ts >= p_since AND member <> p_exclude ORDER BY ts DESC LIMIT 20000 $$""",
]

_RIGHTS = [
    "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA modeltui FROM PUBLIC",
    f"GRANT USAGE ON SCHEMA modeltui TO {MEMBER_ROLE}",
    f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modeltui TO {MEMBER_ROLE}",
    f"GRANT SELECT ON modeltui.schema_version, modeltui.team, modeltui.members TO {MEMBER_ROLE}",
    f"GRANT SELECT, INSERT, DELETE ON modeltui.reservations TO {MEMBER_ROLE}",
    f"GRANT UPDATE (expires) ON modeltui.reservations TO {MEMBER_ROLE}",
    f"GRANT SELECT, INSERT ON modeltui.calls, modeltui.evidence TO {MEMBER_ROLE}",
    f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA modeltui TO {MEMBER_ROLE}",
    "ALTER TABLE modeltui.reservations ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE modeltui.calls ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE modeltui.evidence ENABLE ROW LEVEL SECURITY",
    *(f"CREATE POLICY own ON modeltui.{t} TO {MEMBER_ROLE} USING (member = current_user) "
      "WITH CHECK (member = current_user)" for t in ("reservations", "calls", "evidence")),
]

# version 2: what the rankings and the savings read of the team (aggregates only, like the rest).
# The weight of a row is 0.5 ^ (age / half-life), learning/decay.py's rule, given its half-life
# by the caller (NULL: no decay); capped at 1000 half-lives, where PostgreSQL would report underflow.
_DECAY = ("CASE WHEN p_half_life_s IS NULL OR p_half_life_s <= 0 THEN 1.0 ELSE "
          "power(0.5, LEAST(GREATEST(extract(epoch FROM now() - ts), 0) / p_half_life_s, 1000)) END")
_TEAM_READS = [
    # the other members' calls and evidence per (use case, model), decayed to now ('' = no use case)
    f"""CREATE FUNCTION modeltui.team_stats(p_since timestamptz, p_half_life_s double precision, p_exclude text)
       RETURNS TABLE (use_case text, model text, n double precision, ok double precision, errors double precision,
                      cost_usd double precision, lat_median_ms double precision, raw_calls bigint,
                      up double precision, down double precision, successes double precision,
                      failures double precision)
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = modeltui, pg_temp AS $$
       WITH c AS (SELECT COALESCE(use_case, '') AS use_case, model, status, cost_usd, latency_ms, {_DECAY} AS w
                  FROM calls WHERE ts >= p_since AND member <> p_exclude AND status IN ('{Status.OK}', '{Status.ERROR}')),
            cs AS (SELECT use_case, model, SUM(w) AS n, COALESCE(SUM(w) FILTER (WHERE status = '{Status.OK}'), 0) AS ok,
                          COALESCE(SUM(w) FILTER (WHERE status = '{Status.ERROR}'), 0) AS errors,
                          SUM(w * COALESCE(cost_usd, 0)) AS cost_usd,
                          percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status = '{Status.OK}') AS lat,
                          count(*) AS raw_calls
                   FROM c GROUP BY use_case, model),
            e AS (SELECT member, use_case, model, source, successes, failures, {_DECAY} AS w
                  FROM evidence WHERE ts >= p_since AND member <> p_exclude),
            -- a retraction is a negative row: it may cancel its own member's evidence, never another's
            em AS (SELECT use_case, model,
                          GREATEST(SUM(w * successes) FILTER (WHERE source = '{EvidenceSource.THUMB}'), 0) AS up,
                          GREATEST(SUM(w * failures) FILTER (WHERE source = '{EvidenceSource.THUMB}'), 0) AS down,
                          GREATEST(SUM(w * successes), 0) AS s, GREATEST(SUM(w * failures), 0) AS f
                   FROM e GROUP BY member, use_case, model),
            es AS (SELECT use_case, model, SUM(up) AS up, SUM(down) AS down, SUM(s) AS s, SUM(f) AS f
                   FROM em GROUP BY use_case, model)
       SELECT use_case, model, COALESCE(cs.n, 0), COALESCE(cs.ok, 0), COALESCE(cs.errors, 0), COALESCE(cs.cost_usd, 0),
              cs.lat, COALESCE(cs.raw_calls, 0), COALESCE(es.up, 0), COALESCE(es.down, 0), COALESCE(es.s, 0),
              COALESCE(es.f, 0)
       FROM cs FULL JOIN es USING (use_case, model) $$""",
    # every member's answered calls since a time, per (use case, model): what the savings compare
    f"""CREATE FUNCTION modeltui.team_answered(p_since timestamptz)
       RETURNS TABLE (use_case text, model text, calls bigint, tokens_in bigint, tokens_out bigint,
                      cost_usd double precision)
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = modeltui, pg_temp AS $$
       SELECT COALESCE(use_case, ''), model, count(*), COALESCE(SUM(tokens_in), 0)::bigint,
              COALESCE(SUM(tokens_out), 0)::bigint, COALESCE(SUM(cost_usd), 0)
       FROM calls WHERE ts >= p_since AND status = '{Status.OK}' GROUP BY 1, 2 $$""",
    "REVOKE ALL ON FUNCTION modeltui.team_stats(timestamptz, double precision, text) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION modeltui.team_answered(timestamptz) FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION modeltui.team_stats(timestamptz, double precision, text) TO {MEMBER_ROLE}",
    f"GRANT EXECUTE ON FUNCTION modeltui.team_answered(timestamptz) TO {MEMBER_ROLE}",
]

# version -> its statements; append, never edit a released one
MIGRATIONS: dict[int, list[str]] = {1: [_ROLES, *_TABLES, *_FUNCTIONS, *_RIGHTS], 2: _TEAM_READS}
LATEST = max(MIGRATIONS)
