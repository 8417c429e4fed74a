"""Schema versions. Forward-only: each entry moves the database from version i to i+1 and runs
in one transaction together with the `PRAGMA user_version` bump."""

MIGRATIONS: list[str] = [
    # 1: the call log, votes/feedback, decayed running statistics per (use case, model)
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

    -- running statistics per (use case, model), time-decayed (learning/stats.py keeps them)
    CREATE TABLE stats (
        use_case TEXT NOT NULL,
        model TEXT NOT NULL,
        n REAL NOT NULL DEFAULT 0,        -- decayed calls
        ok REAL NOT NULL DEFAULT 0,
        errors REAL NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        lat_hist TEXT NOT NULL DEFAULT '[]',  -- decayed latency histogram (JSON)
        lat_median_ms REAL,               -- its median (decay scales every bucket alike, so it holds)
        up REAL NOT NULL DEFAULT 0,       -- thumbs up / down
        down REAL NOT NULL DEFAULT 0,
        s REAL NOT NULL DEFAULT 0,        -- quality evidence for the bandit: successes / failures
        f REAL NOT NULL DEFAULT 0,
        raw_calls INTEGER NOT NULL DEFAULT 0,  -- undecayed count, for "observations"
        ts REAL NOT NULL,                 -- time the decayed values refer to
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
    # 4: use cases discovered by clustering logged prompts (renamed ones are kept on re-discovery)
    """
    CREATE TABLE use_case_clusters (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        terms TEXT NOT NULL,              -- JSON list of top terms
        centroid TEXT NOT NULL,           -- JSON {term: weight}, unit length
        idf TEXT NOT NULL,                -- JSON {term: idf} for the centroid's terms
        size INTEGER NOT NULL,
        kept INTEGER NOT NULL DEFAULT 0,  -- 1 once the user renamed it
        created REAL NOT NULL
    );
    """,
    # 5: a tournament's use case (resolved once for its prompt; votes are ranked under it)
    """
    ALTER TABLE tournaments ADD COLUMN use_case TEXT;
    UPDATE tournaments SET use_case = (SELECT c.use_case FROM calls c WHERE c.tournament_id = tournaments.id
                                       ORDER BY c.id LIMIT 1);
    UPDATE tournaments SET use_case = 'general' WHERE use_case IS NULL;
    """,
    # 6: how an answer ended (the provider's finish reason, or cut_* when we stopped reading it),
    #    the conversation a call belongs to, and the call an escalation or retry re-asks
    """
    ALTER TABLE calls ADD COLUMN finish_reason TEXT;
    ALTER TABLE calls ADD COLUMN conversation TEXT;
    ALTER TABLE calls ADD COLUMN origin_id INTEGER REFERENCES calls(id);
    CREATE INDEX calls_conversation ON calls(conversation, id) WHERE conversation IS NOT NULL;
    """,
    # 7: full-text search over prompts and answers (FTS5, external content), kept in step by triggers
    """
    CREATE VIRTUAL TABLE calls_fts USING fts5(prompt, response, content='calls', content_rowid='id');
    CREATE TRIGGER calls_fts_insert AFTER INSERT ON calls BEGIN
        INSERT INTO calls_fts(rowid, prompt, response) VALUES (new.id, new.prompt, new.response);
    END;
    CREATE TRIGGER calls_fts_delete AFTER DELETE ON calls BEGIN
        INSERT INTO calls_fts(calls_fts, rowid, prompt, response) VALUES ('delete', old.id, old.prompt, old.response);
    END;
    CREATE TRIGGER calls_fts_update AFTER UPDATE OF prompt, response ON calls BEGIN
        INSERT INTO calls_fts(calls_fts, rowid, prompt, response) VALUES ('delete', old.id, old.prompt, old.response);
        INSERT INTO calls_fts(rowid, prompt, response) VALUES (new.id, new.prompt, new.response);
    END;
    INSERT INTO calls_fts(calls_fts) VALUES ('rebuild');
    """,
    # 8: each routed prompt's embedding (float16), and the per-prompt evidence the auto tier's
    #    prompt model learns from, in the order it was given (learning/prompt_model.py)
    """
    CREATE TABLE prompt_vectors (
        call_id INTEGER PRIMARY KEY REFERENCES calls(id) ON DELETE CASCADE,
        vec BLOB NOT NULL
    );
    CREATE TABLE prompt_evidence (
        id INTEGER PRIMARY KEY,
        call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        use_case TEXT NOT NULL,
        ts REAL NOT NULL,
        source TEXT NOT NULL,             -- thumb, vote, escalation, rephrased, continued, copied, shadow
        success REAL NOT NULL,
        failure REAL NOT NULL
    );
    ALTER TABLE use_case_clusters ADD COLUMN vec BLOB;  -- centroid of the members' embeddings (float16)
    """,
    # 9: pipeline runs and benchmark suites (flows/): each run, and each step or (prompt, model)
    #    in it with what its check said; the calls say which run and step they belong to
    """
    ALTER TABLE calls ADD COLUMN run_id TEXT;
    ALTER TABLE calls ADD COLUMN step TEXT;
    CREATE INDEX calls_run ON calls(run_id) WHERE run_id IS NOT NULL;
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,               -- pipeline, bench
        name TEXT NOT NULL,               -- the pipeline or the suite
        variant TEXT,                     -- the overrides it ran with (A/B), or the models benched
        ab_id TEXT,                       -- an A/B's variants share it
        input TEXT,
        repeat INTEGER NOT NULL DEFAULT 1,
        ts REAL NOT NULL,
        status TEXT NOT NULL,             -- running, ok, failed
        error TEXT                        -- where and why it stopped
    );
    CREATE TABLE run_items (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        rep INTEGER NOT NULL DEFAULT 0,   -- which repetition (--repeat)
        item TEXT NOT NULL,               -- the step's name, or the suite prompt's id
        attempt INTEGER NOT NULL DEFAULT 0,  -- 0 first try; 1, 2... after a failed check escalated
        use_case TEXT,
        model TEXT,
        call_id INTEGER REFERENCES calls(id),
        status TEXT NOT NULL,             -- ok, error, skipped (budget)
        passed INTEGER,                   -- the check: 1, 0, or NULL (none, or no answer)
        note TEXT,                        -- what the check (or the error) said
        cost_usd REAL,                    -- all its attempts (fallbacks included)
        tokens_in INTEGER,
        tokens_out INTEGER,
        latency_ms REAL
    );
    CREATE INDEX run_items_run ON run_items(run_id, rep, id);
    CREATE INDEX runs_ab ON runs(ab_id) WHERE ab_id IS NOT NULL;
    """,
    # 10: reservations are leases (an owner token and an expiry its owner renews) tied to the
    #     attempt's row, written with status 'started' before the request leaves. Reservations
    #     from before (kept alive by process ids, which another PID namespace cannot see) are
    #     charged now as lost calls at their amount: never deleted, so the cap stays conservative.
    """
    ALTER TABLE reservations ADD COLUMN owner TEXT;
    ALTER TABLE reservations ADD COLUMN expires REAL NOT NULL DEFAULT 0;
    ALTER TABLE reservations ADD COLUMN call_id INTEGER REFERENCES calls(id);
    INSERT INTO calls (ts, session, kind, model, provider, status, cost_usd, tokens_estimated, error_kind, error_message)
        SELECT ts, session, 'chat', model, '', 'lost', amount_usd, 1, 'lost',
               'reserved before leases existed and never logged: charged at its reservation'
        FROM reservations;
    DELETE FROM reservations;
    CREATE INDEX reservations_expires ON reservations(expires);
    """,
    # 11: usage as providers bill it: the cached-read, cache-write and reasoning parts (NULL: not
    #     reported), our computed cost beside the provider's own when it reported one
    """
    ALTER TABLE calls ADD COLUMN tokens_cache_read INTEGER;
    ALTER TABLE calls ADD COLUMN tokens_cache_write INTEGER;
    ALTER TABLE calls ADD COLUMN tokens_reasoning INTEGER;
    ALTER TABLE calls ADD COLUMN cost_computed_usd REAL;
    ALTER TABLE calls ADD COLUMN cost_reported INTEGER NOT NULL DEFAULT 0;
    """,
    # 12: which tool asked, for calls that came through `modeltui serve` (kind 'api'): the
    #     client's name from its User-Agent (NULL for the app's and the CLI's own calls)
    """
    ALTER TABLE calls ADD COLUMN client TEXT;
    """,
]

LATEST = len(MIGRATIONS)
