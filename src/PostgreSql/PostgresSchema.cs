using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Sluice.PostgreSql;

/// <summary>
/// The Sluice tables' SQL. <see cref="EnsureAsync(NpgsqlDataSource, PostgresTableNames?, CancellationToken)"/> creates
/// what is missing and never alters or drops anything; <see cref="Script(PostgresTableNames?)"/> returns the same
/// statements for a DBA to run (the package also ships them for the default names as <c>sql/sluice-postgres.sql</c>).
/// The schema itself must exist.
/// </summary>
public static class PostgresSchema
{
    // Serializes concurrent EnsureAsync calls: CREATE ... IF NOT EXISTS alone can still collide when two sessions race.
    private const long SchemaLockKey = 0x51_1C_E0_5C_4E_4D_41;

    /// <summary>Returns the statements that create the dead-letter, checkpoint, run-record and lease tables and their indexes.</summary>
    /// <param name="tables">The table names; <see langword="null"/> uses <see cref="PostgresTableNames.Default"/>.</param>
    /// <returns>The SQL script, idempotent (<c>IF NOT EXISTS</c> throughout).</returns>
    public static string Script(PostgresTableNames? tables = null)
    {
        tables ??= PostgresTableNames.Default;
        var script = new StringBuilder();
        script.Append("-- Sluice tables for PostgreSQL: dead letters, checkpoints, run records and leases. Idempotent: safe to run again.\n");
        script.Append(DeadLetterStatements(tables));
        script.Append(CheckpointStatements(tables));
        return script.ToString();
    }

    /// <summary>Creates the dead-letter, checkpoint, run-record and lease tables and their indexes where missing.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="tables">The table names; <see langword="null"/> uses <see cref="PostgresTableNames.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>A task that completes once the tables exist.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    public static Task EnsureAsync(NpgsqlDataSource dataSource, PostgresTableNames? tables = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return RunAsync(dataSource, Script(tables), cancellationToken);
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
                -- true when payload holds the record's JSON text as a JSON string, because the JSON has a NUL (\u0000) that jsonb refuses:
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
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = SchemaLockKey });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = new NpgsqlCommand(statements, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
