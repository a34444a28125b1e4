-- One schema for SQLite and PostgreSQL (portable types only: TEXT, BIGINT).
-- Times are Unix milliseconds (UTC).
CREATE TABLE cycles (
    id TEXT PRIMARY KEY,
    rubric TEXT NOT NULL,
    version TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

-- Append-only: a revision is never updated nor deleted; the latest counts.
CREATE TABLE submissions (
    cycle TEXT NOT NULL,
    entity TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    author TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rubric TEXT NOT NULL,
    version TEXT NOT NULL,
    rubric_sha256 TEXT NOT NULL,
    idempotency_key TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (cycle, entity, revision)
);
CREATE UNIQUE INDEX submissions_idempotency ON submissions (cycle, entity, idempotency_key);

-- Bearer tokens, kept as the sha256 of the token only.
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    entity TEXT,
    cycle TEXT,
    created_at BIGINT NOT NULL
);

-- Every write: who, what, when.
CREATE TABLE audit (
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    cycle TEXT,
    entity TEXT,
    detail TEXT NOT NULL
);
