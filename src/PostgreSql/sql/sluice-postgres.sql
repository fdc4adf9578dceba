-- Sluice tables for PostgreSQL: dead letters and checkpoints. Idempotent: safe to run again.

-- One row per record that failed for good. The id is derived from the pipeline and the record's position (or key),
-- so the same record dead-lettered again after a restart is stored once.
CREATE TABLE IF NOT EXISTS "public"."sluice_dead_letters" (
    id               text        NOT NULL PRIMARY KEY,
    pipeline         text,
    partition        text,
    record_key       text,
    position         bigint      CHECK (position >= 0),
    payload          jsonb       NOT NULL,
    error_type       text        NOT NULL,
    error_message    text        NOT NULL,
    stack_trace      text,
    attempts         integer     NOT NULL CHECK (attempts >= 1),
    context          jsonb,
    dead_lettered_at timestamptz NOT NULL,
    stored_at        timestamptz NOT NULL DEFAULT now()
);
-- What failed in a pipeline, latest first or since a time:
CREATE INDEX IF NOT EXISTS "sluice_dead_letters_pipeline_time" ON "public"."sluice_dead_letters" (pipeline, dead_lettered_at);
-- The failures of one kind, to replay them after a fix:
CREATE INDEX IF NOT EXISTS "sluice_dead_letters_pipeline_error" ON "public"."sluice_dead_letters" (pipeline, error_type, dead_lettered_at);
-- Everything that happened to one record:
CREATE INDEX IF NOT EXISTS "sluice_dead_letters_pipeline_key" ON "public"."sluice_dead_letters" (pipeline, record_key) WHERE record_key IS NOT NULL;

-- The low-watermark of each pipeline and partition: every record before position is done.
CREATE TABLE IF NOT EXISTS "public"."sluice_checkpoints" (
    pipeline     text        NOT NULL,
    partition    text        NOT NULL,
    position     bigint      NOT NULL CHECK (position >= 0),
    committed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline, partition)
);
