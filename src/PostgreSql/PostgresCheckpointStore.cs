using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Sluice.PostgreSql;

/// <summary>
/// Keeps pipeline checkpoints in a PostgreSQL table (<see cref="PostgresTableNames.Checkpoints"/>), one row per pipeline
/// and partition, so several hosts running the same pipeline resume from the same place. The same database keeps the
/// run records (<see cref="PostgresTableNames.Runs"/>) and the instance leases (<see cref="PostgresTableNames.Leases"/>),
/// so a pipeline with this store records its runs, refuses to re-run a completed instance and runs one instance at a
/// time across hosts, as with <see cref="FileCheckpointStore"/>.
/// </summary>
/// <remarks>
/// Create the tables with <see cref="EnsureSchemaAsync(CancellationToken)"/> or the shipped script. A call that fails
/// because its connection broke (the server ended the session, as <c>pg_terminate_backend</c> or a failover does, or the
/// network dropped it: SQLSTATE 57P01 or <see cref="NpgsqlException.IsTransient"/>) is made again on another connection,
/// up to 5 times in all, 50, 100, 200 and 400 ms apart; every statement of those calls is idempotent, so one repeated
/// after its answer was lost changes nothing twice. <see cref="ResetAsync(string, string, CancellationToken)"/>, an
/// operator's command, is not repeated: it fails and says so. On its first call the store reads the recorded schema
/// versions of its tables (<see cref="PostgresTableNames.SchemaVersions"/>) once and refuses, with the message
/// <see cref="EnsureSchemaAsync(CancellationToken)"/> gives (an <see cref="InvalidOperationException"/>), tables a newer
/// version of the package has recorded; without a version table (tables of version 1, or made by hand) it works with the
/// columns it finds, as before.
/// </remarks>
public sealed partial class PostgresCheckpointStore : ICheckpointStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _load;
    private readonly string _commit;
    private readonly string _advance;
    private readonly PostgresSchemaCheck _schemaCheck;

    /// <summary>Creates a store using <paramref name="tables"/>' checkpoint table.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="tables">The table names; <see langword="null"/> uses <see cref="PostgresTableNames.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    public PostgresCheckpointStore(NpgsqlDataSource dataSource, PostgresTableNames? tables = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        Tables = tables ?? PostgresTableNames.Default;
        _schemaCheck = new PostgresSchemaCheck(dataSource, Tables, Tables.Checkpoints, Tables.Runs, Tables.Leases);
        var table = Tables.QualifiedCheckpoints;
        _load = $"SELECT position FROM {table} WHERE pipeline = $1 AND partition = $2";
        _commit = $"INSERT INTO {table} AS c (pipeline, partition, position) VALUES ($1, $2, $3) "
            + "ON CONFLICT (pipeline, partition) DO UPDATE SET position = EXCLUDED.position, committed_at = now()";

        // Moves the checkpoint only from the position the batch started at: a second run that processed the same
        // records (or a retried commit whose first attempt did land) finds another position and changes nothing.
        _advance = $"INSERT INTO {table} AS c (pipeline, partition, position) VALUES ($1, $2, $4) "
            + "ON CONFLICT (pipeline, partition) DO UPDATE SET position = EXCLUDED.position, committed_at = now() WHERE c.position = $3 "
            + "RETURNING position";
    }

    /// <summary>Gets the table names this store uses.</summary>
    public PostgresTableNames Tables { get; }

    /// <summary>
    /// Gets the dead-letter location recorded for a run whose record names none: set by <see cref="PostgresTransactionalSink{T}"/>
    /// on the store it lends, whose runs' dead letters go to the sink's table rather than to a dead-letter sink of the pipeline.
    /// </summary>
    internal string? DefaultDeadLetterLocation { get; init; }

    /// <summary>
    /// Creates the checkpoint, run-record and lease tables where missing and upgrades tables of an older schema version in
    /// place (see <see cref="PostgresSchema"/>); drops and rewrites nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>A task that completes once the tables exist.</returns>
    /// <exception cref="InvalidOperationException">A table has a schema version newer than <see cref="PostgresSchema.CurrentVersion"/>; nothing was changed.</exception>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
        => PostgresSchema.RunAsync(_dataSource, PostgresSchema.Statements(Tables, deadLetters: false, checkpoints: true), cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="pipeline"/> or <paramref name="partition"/> is <see langword="null"/>, empty or white space.</exception>
    public async ValueTask<long?> LoadAsync(string pipeline, string partition, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pipeline);
        ArgumentException.ThrowIfNullOrWhiteSpace(partition);
        return await RunCheckedAsync(
            async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                return await LoadAsync(pipeline, partition, connection, transaction: null, token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="pipeline"/> or <paramref name="partition"/> is <see langword="null"/>, empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is negative.</exception>
    public async ValueTask CommitAsync(string pipeline, string partition, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pipeline);
        ArgumentException.ThrowIfNullOrWhiteSpace(partition);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        await RunCheckedAsync(
            async token =>
            {
                await using var command = _dataSource.CreateCommand(_commit);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pipeline });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = partition });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
                await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Refuses, on the first call of this store, tables whose recorded schema version is newer than this package knows.</summary>
    internal ValueTask CheckSchemaAsync(CancellationToken cancellationToken) => _schemaCheck.EnsureAsync(cancellationToken);

    // Every call of the store: the schema check (once per store), then the call, made again on a broken connection.
    private async ValueTask<TResult> RunCheckedAsync<TResult>(Func<CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
    {
        await _schemaCheck.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await PostgresRetry.RunAsync(call, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask RunCheckedAsync(Func<CancellationToken, ValueTask> call, CancellationToken cancellationToken)
    {
        await _schemaCheck.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await PostgresRetry.RunAsync(call, cancellationToken).ConfigureAwait(false);
    }

    internal async ValueTask<long?> LoadAsync(string pipeline, string partition, NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_load, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pipeline });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = partition });
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is long position ? position : null;
    }

    /// <summary>Moves the checkpoint from <paramref name="from"/> to <paramref name="to"/> inside <paramref name="transaction"/>.</summary>
    /// <returns><see langword="true"/> when it moved; <see langword="false"/> when the stored position was not <paramref name="from"/>.</returns>
    internal async ValueTask<bool> TryAdvanceAsync(string pipeline, string partition, long from, long to, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_advance, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pipeline });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = partition });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = from });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = to });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long;
    }
}
