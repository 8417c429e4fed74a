"""Schema versions. Forward-only: each entry moves the database from version i to i+1 and runs
in one transaction together with the `PRAGMA user_version` bump."""

MIGRATIONS: list[str] = [
    # 1: the call log, votes/feedback, running aggregates per (use case, model)
    """
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,                 -- unix time the attempt started
        session TEXT NOT NULL,
        kind TEXT NOT NULL,               -- chat, tournament, bench, judge, ...
        tier TEXT,
        use_case TEXT,
        complexity TEXT,
        model TEXT NOT NULL,
        provider TEXT NOT NULL,
        simulated INTEGER NOT NULL DEFAULT 0,
        prompt TEXT,
        response TEXT,
        tokens_in INTEGER,
        tokens_out INTEGER,
        tokens_estimated INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL,                    -- NULL when the price is unknown
        latency_ms REAL,
        ttft_ms REAL,
        status TEXT NOT NULL,             -- ok, error, cancelled
        error_kind TEXT,
        error_message TEXT,               -- redacted
        parent_id INTEGER REFERENCES calls(id),
        tournament_id TEXT,
        decision TEXT                     -- RouteDecision as JSON
    );
    CREATE INDEX calls_ts ON calls(ts);
    CREATE INDEX calls_session ON calls(session, ts);
    CREATE INDEX calls_tournament ON calls(tournament_id) WHERE tournament_id IS NOT NULL;
    CREATE INDEX calls_parent ON calls(parent_id) WHERE parent_id IS NOT NULL;

    CREATE TABLE votes (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        session TEXT,
        call_id INTEGER REFERENCES calls(id),
        tournament_id TEXT,
        kind TEXT NOT NULL,               -- thumb (value +1/-1) or vote (winner call id, tie, all_bad)
        value TEXT NOT NULL,
        note TEXT
    );
    CREATE INDEX votes_tournament ON votes(tournament_id);
    CREATE INDEX votes_call ON votes(call_id);

    CREATE TABLE model_stats (
        use_case TEXT NOT NULL,
        model TEXT NOT NULL,
        calls INTEGER NOT NULL DEFAULT 0,
        ok INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        latency_ms_sum REAL NOT NULL DEFAULT 0,
        tokens_out INTEGER NOT NULL DEFAULT 0,
        last_ts REAL,
        PRIMARY KEY (use_case, model)
    );
    """,
    # 2: budget reservations of calls in flight (any process), reclaimed when their process is gone
    """
    CREATE TABLE reservations (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        session TEXT NOT NULL,
        pid INTEGER NOT NULL,
        model TEXT NOT NULL,
        amount_usd REAL NOT NULL
    );
    """,
    # 3: tournaments: the entrants in slot order (A, B, C) and the agreement verdict
    """
    CREATE TABLE tournaments (
        id TEXT PRIMARY KEY,
        ts REAL NOT NULL,
        session TEXT NOT NULL,
        prompt TEXT,
        models TEXT NOT NULL,             -- JSON list, slot order
        verdict TEXT                      -- JSON from agreement.compare_all
    );
    """,
]

LATEST = len(MIGRATIONS)
