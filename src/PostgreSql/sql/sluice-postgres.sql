-- Sluice tables for PostgreSQL: dead letters, checkpoints, run records and leases, schema version 2.
-- Idempotent: safe to run again. It upgrades tables made by an older version in place and refuses tables of a newer one.
-- One transaction: run it as it is (not with psql --single-transaction); on an error nothing is changed.
BEGIN;

-- Concurrent runs of this script wait for each other.
SELECT pg_advisory_xact_lock(22831223060450625);

-- The schema version each Sluice table was created or last upgraded to.
CREATE TABLE IF NOT EXISTS "public"."sluice_schema_versions" (
    table_name  text        NOT NULL PRIMARY KEY,
    version     integer     NOT NULL CHECK (version >= 1),
    upgraded_at timestamptz NOT NULL DEFAULT now()
);

-- Tables of a newer version are refused before anything is changed.
DO $sluice$
DECLARE
    newer record;
BEGIN
    SELECT table_name, version INTO newer FROM "public"."sluice_schema_versions"
        WHERE table_name IN ('sluice_dead_letters', 'sluice_checkpoints', 'sluice_runs', 'sluice_leases') AND version > 2 ORDER BY version DESC, table_name LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'The Sluice table public.% has schema version %, newer than this version of Sluice.PostgreSql knows (2): upgrade the package (or use the script of the version that made it). Nothing was changed.', newer.table_name, newer.version
            USING ERRCODE = 'SLU01';
    END IF;
END
$sluice$;

-- One row per record that failed for good. The id is derived from the pipeline and the record's position (or key),
-- so the same record dead-lettered again after a restart is stored once.
CREATE TABLE IF NOT EXISTS "public"."sluice_dead_letters" (
    id               text        NOT NULL PRIMARY KEY,
    pipeline         text,
    partition        text,
    record_key       text,
    position         bigint      CHECK (position >= 0),
    payload          jsonb       NOT NULL,
    -- true when payload holds the payload's text as a JSON string: text that is not JSON, or JSON with a NUL (\u0000) that jsonb refuses:
    payload_escaped  boolean     NOT NULL DEFAULT false,
    error_type       text        NOT NULL,
    error_message    text        NOT NULL,
    stack_trace      text,
    attempts         integer     NOT NULL CHECK (attempts >= 1),
    context          jsonb,
    dead_lettered_at timestamptz NOT NULL,
    stored_at        timestamptz NOT NULL DEFAULT now(),
    instance         text,
    run_id           text
);
-- Version 2 added these columns; a table of version 1 gets them here (its rows: no instance or run id recorded, payload as is).
ALTER TABLE "public"."sluice_dead_letters" ADD COLUMN IF NOT EXISTS instance text, ADD COLUMN IF NOT EXISTS run_id text,
    ADD COLUMN IF NOT EXISTS payload_escaped boolean NOT NULL DEFAULT false;
-- What failed in a pipeline, latest first or since a time:
CREATE INDEX IF NOT EXISTS "sluice_dead_letters_pipeline_time" ON "public"."sluice_dead_letters" (pipeline, dead_lettered_at);
-- The failures of one kind, to replay them after a fix:
CREATE INDEX IF NOT EXISTS "sluice_dead_letters_pipeline_error" ON "public"."sluice_dead_letters" (pipeline, error_type, dead_lettered_at);
-- What failed in one instance (pipeline@input; the pipeline name when it has no input identity), oldest first:
CREATE INDEX IF NOT EXISTS "sluice_dead_letters_instance_time" ON "public"."sluice_dead_letters" ((coalesce(instance, pipeline)), dead_lettered_at);
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

-- One row per run of a pipeline instance, written when it starts and when it ends.
CREATE TABLE IF NOT EXISTS "public"."sluice_runs" (
    run_id               text        NOT NULL PRIMARY KEY,
    pipeline             text        NOT NULL,
    input                text,
    instance             text        NOT NULL,
    status               text        NOT NULL,
    holder               text,
    started_at           timestamptz NOT NULL,
    ended_at             timestamptz,
    start_checkpoint     bigint      NOT NULL,
    checkpoint           bigint,
    read                 bigint      NOT NULL,
    skipped              bigint      NOT NULL,
    succeeded            bigint      NOT NULL,
    dead_lettered        bigint      NOT NULL,
    retried              bigint      NOT NULL,
    error                text,
    dead_letter_location text
);
-- The runs of one instance, newest first:
CREATE INDEX IF NOT EXISTS "sluice_runs_instance_started" ON "public"."sluice_runs" (instance, started_at DESC);

-- The one run allowed at a time per instance: free once expires_at (the server's clock) has passed.
CREATE TABLE IF NOT EXISTS "public"."sluice_leases" (
    instance    text        NOT NULL PRIMARY KEY,
    holder      text        NOT NULL,
    token       text        NOT NULL,
    machine     text,
    process_id  integer,
    acquired_at timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);

-- Recorded last, in the same transaction: a version is never recorded for a table that did not reach it.
INSERT INTO "public"."sluice_schema_versions" AS v (table_name, version) VALUES ('sluice_dead_letters', 2), ('sluice_checkpoints', 2), ('sluice_runs', 2), ('sluice_leases', 2)
    ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version, upgraded_at = now() WHERE v.version < EXCLUDED.version;

COMMIT;
