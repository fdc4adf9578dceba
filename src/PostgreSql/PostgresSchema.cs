using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Sluice.PostgreSql;

/// <summary>
/// The Sluice tables' SQL. <see cref="EnsureAsync(NpgsqlDataSource, PostgresTableNames?, CancellationToken)"/> creates
/// what is missing and upgrades tables made by an older version of this package in place (adding columns, tables and
/// indexes; never dropping or rewriting data), then records the schema version of each table in
/// <see cref="PostgresTableNames.SchemaVersions"/>. It refuses, changing nothing, a database whose tables a newer
/// version of the package has recorded (<see cref="CurrentVersion"/> is the one this package knows).
/// <see cref="Script(PostgresTableNames?)"/> returns the same statements for a DBA to run, as one transaction (the package
/// also ships them for the default names as <c>sql/sluice-postgres.sql</c>). The schema itself must exist.
/// </summary>
/// <remarks>
/// Versions: 1 had the dead-letter table without <c>instance</c>, <c>run_id</c> and <c>payload_escaped</c> and the
/// checkpoint table, and recorded no version; 2 added those columns, the run-record and lease tables and the version table.
/// A table found without a version row is brought to <see cref="CurrentVersion"/> by the same idempotent statements.
/// The stores check the recorded versions of their tables once, on their first call, and refuse a newer one with the same
/// message; a database without the version table is used as it is.
/// </remarks>
public static class PostgresSchema
{
    /// <summary>The schema version this package creates and upgrades to: 2.</summary>
    public const int CurrentVersion = 2;

    // Serializes concurrent EnsureAsync calls: CREATE ... IF NOT EXISTS alone can still collide when two sessions race.
    private const long SchemaLockKey = 0x51_1C_E0_5C_4E_4D_41;

    // The SQLSTATE of the refusal of a newer schema (a class of its own, outside PostgreSQL's).
    private const string NewerSchemaState = "SLU01";

    /// <summary>Returns the statements that create or upgrade the dead-letter, checkpoint, run-record, lease and version tables and their indexes.</summary>
    /// <param name="tables">The table names; <see langword="null"/> uses <see cref="PostgresTableNames.Default"/>.</param>
    /// <returns>The SQL script: one transaction, idempotent (<c>IF NOT EXISTS</c> throughout), refusing a newer schema.</returns>
    public static string Script(PostgresTableNames? tables = null)
    {
        tables ??= PostgresTableNames.Default;
        var script = new StringBuilder();
        script.Append("-- Sluice tables for PostgreSQL: dead letters, checkpoints, run records and leases, schema version ")
            .Append(CurrentVersion.ToString(CultureInfo.InvariantCulture)).Append(".\n");
        script.Append("-- Idempotent: safe to run again. It upgrades tables made by an older version in place and refuses tables of a newer one.\n");
        script.Append("-- One transaction: run it as it is (not with psql --single-transaction); on an error nothing is changed.\n");
        script.Append("BEGIN;\n");
        script.Append(Statements(tables, deadLetters: true, checkpoints: true));
        script.Append("\nCOMMIT;\n");
        return script.ToString();
    }

    /// <summary>
    /// Creates the dead-letter, checkpoint, run-record, lease and version tables and their indexes where missing, upgrades
    /// tables of an older schema version and records <see cref="CurrentVersion"/>.
    /// </summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="tables">The table names; <see langword="null"/> uses <see cref="PostgresTableNames.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>A task that completes once the tables exist.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">A table has a schema version newer than <see cref="CurrentVersion"/>; nothing was changed.</exception>
    public static Task EnsureAsync(NpgsqlDataSource dataSource, PostgresTableNames? tables = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return RunAsync(dataSource, Statements(tables ?? PostgresTableNames.Default, deadLetters: true, checkpoints: true), cancellationToken);
    }

    /// <summary>The statements for the dead-letter table, the checkpoint tables (checkpoints, runs, leases) or both, with the version bookkeeping around them.</summary>
    internal static string Statements(PostgresTableNames tables, bool deadLetters, bool checkpoints)
    {
        var names = new List<string>();
        if (deadLetters)
        {
            names.Add(tables.DeadLetters);
        }

        if (checkpoints)
        {
            names.AddRange([tables.Checkpoints, tables.Runs, tables.Leases]);
        }

        var version = CurrentVersion.ToString(CultureInfo.InvariantCulture);
        var versions = tables.QualifiedSchemaVersions;

        // Names are plain identifiers (validated by PostgresTableNames), so they are safe inside the string literals too.
        var listed = string.Join(", ", names.Select(n => "'" + n + "'"));
        var statements = new StringBuilder();
        statements.Append(CultureInfo.InvariantCulture, $"""

            -- Concurrent runs of this script wait for each other.
            SELECT pg_advisory_xact_lock({SchemaLockKey.ToString(CultureInfo.InvariantCulture)});

            -- The schema version each Sluice table was created or last upgraded to.
            CREATE TABLE IF NOT EXISTS {versions} (
                table_name  text        NOT NULL PRIMARY KEY,
                version     integer     NOT NULL CHECK (version >= 1),
                upgraded_at timestamptz NOT NULL DEFAULT now()
            );

            -- Tables of a newer version are refused before anything is changed.
            DO $sluice$
            DECLARE
                newer record;
            BEGIN
                SELECT table_name, version INTO newer FROM {versions}
                    WHERE table_name IN ({listed}) AND version > {version} ORDER BY version DESC, table_name LIMIT 1;
                IF FOUND THEN
                    RAISE EXCEPTION 'The Sluice table {tables.Schema}.% has schema version %, newer than this version of Sluice.PostgreSql knows ({version}): upgrade the package (or use the script of the version that made it). Nothing was changed.', newer.table_name, newer.version
                        USING ERRCODE = '{NewerSchemaState}';
                END IF;
            END
            $sluice$;

            """);
        if (deadLetters)
        {
            statements.Append(DeadLetterStatements(tables));
        }

        if (checkpoints)
        {
            statements.Append(CheckpointStatements(tables));
        }

        statements.Append(CultureInfo.InvariantCulture, $"""

            -- Recorded last, in the same transaction: a version is never recorded for a table that did not reach it.
            INSERT INTO {versions} AS v (table_name, version) VALUES {string.Join(", ", names.Select(n => $"('{n}', {version})"))}
                ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version, upgraded_at = now() WHERE v.version < EXCLUDED.version;

            """);
        return statements.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    internal static string DeadLetterStatements(PostgresTableNames tables)
    {
        var table = tables.QualifiedDeadLetters;
        var name = tables.DeadLetters;
        return $"""

            -- One row per record that failed for good. The id is derived from the pipeline and the record's position (or key),
            -- so the same record dead-lettered again after a restart is stored once.
            CREATE TABLE IF NOT EXISTS {table} (
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
            ALTER TABLE {table} ADD COLUMN IF NOT EXISTS instance text, ADD COLUMN IF NOT EXISTS run_id text,
                ADD COLUMN IF NOT EXISTS payload_escaped boolean NOT NULL DEFAULT false;
            -- What failed in a pipeline, latest first or since a time:
            CREATE INDEX IF NOT EXISTS {PostgresIdentifier.Quote(name + "_pipeline_time")} ON {table} (pipeline, dead_lettered_at);
            -- The failures of one kind, to replay them after a fix:
            CREATE INDEX IF NOT EXISTS {PostgresIdentifier.Quote(name + "_pipeline_error")} ON {table} (pipeline, error_type, dead_lettered_at);
            -- What failed in one instance (pipeline@input; the pipeline name when it has no input identity), oldest first:
            CREATE INDEX IF NOT EXISTS {PostgresIdentifier.Quote(name + "_instance_time")} ON {table} ((coalesce(instance, pipeline)), dead_lettered_at);
            -- Everything that happened to one record:
            CREATE INDEX IF NOT EXISTS {PostgresIdentifier.Quote(name + "_pipeline_key")} ON {table} (pipeline, record_key) WHERE record_key IS NOT NULL;

            """.Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    internal static string CheckpointStatements(PostgresTableNames tables) => $"""

        -- The low-watermark of each pipeline and partition: every record before position is done.
        CREATE TABLE IF NOT EXISTS {tables.QualifiedCheckpoints} (
            pipeline     text        NOT NULL,
            partition    text        NOT NULL,
            position     bigint      NOT NULL CHECK (position >= 0),
            committed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (pipeline, partition)
        );

        -- One row per run of a pipeline instance, written when it starts and when it ends.
        CREATE TABLE IF NOT EXISTS {tables.QualifiedRuns} (
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
        CREATE INDEX IF NOT EXISTS {PostgresIdentifier.Quote(tables.Runs + "_instance_started")} ON {tables.QualifiedRuns} (instance, started_at DESC);

        -- The one run allowed at a time per instance: free once expires_at (the server's clock) has passed.
        CREATE TABLE IF NOT EXISTS {tables.QualifiedLeases} (
            instance    text        NOT NULL PRIMARY KEY,
            holder      text        NOT NULL,
            token       text        NOT NULL,
            machine     text,
            process_id  integer,
            acquired_at timestamptz NOT NULL,
            expires_at  timestamptz NOT NULL
        );

        """.Replace("\r\n", "\n", StringComparison.Ordinal);

    internal static async Task RunAsync(NpgsqlDataSource dataSource, string statements, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(statements, connection, transaction))
        {
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == NewerSchemaState)
            {
                throw new InvalidOperationException(e.MessageText, e);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
