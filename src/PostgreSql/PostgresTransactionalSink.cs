using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Sluice.PostgreSql;

/// <summary>
/// Commits a pipeline batch in one PostgreSQL transaction: the records (through an <see cref="IPostgresBatchWriter{T}"/>
/// such as <see cref="PostgresUpsertSink{T}"/>, or a plain insert), the dead letters and the checkpoint advance. A crash
/// anywhere leaves all of them or none, so a restarted pipeline neither loses nor repeats a record, even when the
/// writer is not idempotent. Use it with <see cref="SluicePipeline{T}.WithTransactionalSink(ITransactionalBatchSink{T})"/>.
/// </summary>
/// <remarks>
/// The checkpoint row is moved first, and only from the position the batch starts at: a retry of a commit whose first
/// attempt did land (the connection was lost before the answer) finds the checkpoint already past the batch and
/// changes nothing, and a second run processing the same records at the same time is refused rather than writing them
/// twice. The tables are the ones of <see cref="PostgresDeadLetterSink"/> and <see cref="PostgresCheckpointStore"/>;
/// create them with <see cref="EnsureSchemaAsync(CancellationToken)"/> or the shipped script. As an
/// <see cref="ICheckpointStoreProvider"/> the sink lends the pipeline its <see cref="Checkpoints"/> store, so a
/// transactional run is recorded in the run table (<c>sluice runs</c>), holds the instance's lease (a second run of the
/// same instance is refused, or waits with <c>WithLease</c>), and a completed instance is refused unless
/// <c>AllowRerun</c> is called, exactly as with <see cref="PostgresCheckpointStore"/> given to <c>WithCheckpoints</c>.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class PostgresTransactionalSink<T> : ITransactionalBatchSink<T>, ICheckpointStoreProvider
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IPostgresBatchWriter<T> _writer;
    private readonly PostgresCheckpointStore _checkpoints;
    private readonly PostgresDeadLetterSink _deadLetters;

    /// <summary>Creates a sink writing records with <paramref name="writer"/> and keeping dead letters and checkpoints in <paramref name="tables"/>.</summary>
    /// <param name="dataSource">The database of the records, the dead letters and the checkpoints.</param>
    /// <param name="writer">Writes the records inside the transaction, e.g. a <see cref="PostgresUpsertSink{T}"/>.</param>
    /// <param name="tables">The dead-letter and checkpoint table names; <see langword="null"/> uses <see cref="PostgresTableNames.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> or <paramref name="writer"/> is <see langword="null"/>.</exception>
    public PostgresTransactionalSink(NpgsqlDataSource dataSource, IPostgresBatchWriter<T> writer, PostgresTableNames? tables = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(writer);
        _dataSource = dataSource;
        _writer = writer;
        Tables = tables ?? PostgresTableNames.Default;
        _deadLetters = new PostgresDeadLetterSink(dataSource, Tables);
        _checkpoints = new PostgresCheckpointStore(dataSource, Tables) { DefaultDeadLetterLocation = _deadLetters.Location };
    }

    /// <summary>Gets the dead-letter and checkpoint table names.</summary>
    public PostgresTableNames Tables { get; }

    /// <summary>
    /// Gets the store of the checkpoints this sink commits, and of the run records and leases beside them: the pipeline
    /// records its runs and takes its lease through it, and operators read it (<c>sluice --postgres runs</c>). A run record
    /// it saves that names no dead-letter location names this sink's dead-letter table
    /// (<see cref="PostgresDeadLetterSink.Location"/>: <c>postgresql://host:port/database "schema"."table"</c>), where a
    /// transactional run's dead letters go.
    /// </summary>
    public PostgresCheckpointStore Checkpoints => _checkpoints;

    /// <inheritdoc/>
    ICheckpointStore ICheckpointStoreProvider.CheckpointStore => _checkpoints;

    /// <summary>
    /// Creates the dead-letter, checkpoint, run-record and lease tables where missing and upgrades tables of an older schema
    /// version (see <see cref="PostgresSchema"/>); the records' table is the application's.
    /// </summary>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>A task that completes once the tables exist.</returns>
    /// <exception cref="InvalidOperationException">A table has a schema version newer than <see cref="PostgresSchema.CurrentVersion"/>; nothing was changed.</exception>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken = default) => PostgresSchema.EnsureAsync(_dataSource, Tables, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<long?> LoadCheckpointAsync(string pipeline, string partition, CancellationToken cancellationToken = default)
        => _checkpoints.LoadAsync(pipeline, partition, cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The batch's checkpoint moves backwards, or its names are empty.</exception>
    /// <exception cref="InvalidOperationException">The stored checkpoint is neither where the batch starts nor where it ends: another run moved it.</exception>
    public async ValueTask CommitAsync(TransactionalBatch<T> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrWhiteSpace(batch.Pipeline, nameof(batch));
        ArgumentException.ThrowIfNullOrWhiteSpace(batch.Partition, nameof(batch));
        if (batch.CheckpointFrom < 0 || batch.Checkpoint < batch.CheckpointFrom)
        {
            throw new ArgumentException($"The batch moves the checkpoint from {batch.CheckpointFrom} to {batch.Checkpoint}; it may only move forward from 0 or more.", nameof(batch));
        }

        await _checkpoints.CheckSchemaAsync(cancellationToken).ConfigureAwait(false);
        await _deadLetters.CheckSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await _checkpoints.TryAdvanceAsync(batch.Pipeline, batch.Partition, batch.CheckpointFrom, batch.Checkpoint, connection, transaction, cancellationToken).ConfigureAwait(false))
        {
            var stored = await _checkpoints.LoadAsync(batch.Pipeline, batch.Partition, connection, transaction, cancellationToken).ConfigureAwait(false);
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            if (stored == batch.Checkpoint)
            {
                return; // An earlier attempt of this very commit landed.
            }

            throw new InvalidOperationException(
                $"The checkpoint of pipeline '{batch.Pipeline}' is at {stored}, not at {batch.CheckpointFrom} where this batch starts: another run moved it. Nothing of the batch was stored.");
        }

        if (batch.Records.Count > 0)
        {
            await _writer.WriteAsync(batch.Records, connection, transaction, cancellationToken).ConfigureAwait(false);
        }

        await _deadLetters.WriteAsync(batch.DeadLetters, connection, transaction, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
