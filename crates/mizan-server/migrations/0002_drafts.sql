-- The web form's drafts (docs/form.md): one per cycle and entity, overwritten
-- by each save; a draft is not a submission (nothing scores it but the form's
-- live score) and it is dropped once the entity submits. Every save is in
-- the audit log. Portable SQL: TEXT and BIGINT, as 0001.
CREATE TABLE drafts (
    cycle TEXT NOT NULL,
    entity TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (cycle, entity)
);
