using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using NpgsqlTypes;

namespace Sluice.PostgreSql;

// Run records, leases and the operator's view of the checkpoints, in the tables beside the checkpoint table:
//   runs    one row per run, keyed by run id, replaced when the run starts and when it ends
//   leases  one row per instance: its current holder and when the lease expires, by the server's clock
// A lease row is taken only when it has expired (a conditional upsert), so two runs of one instance never both hold it;
// a crashed holder stops renewing and its lease is free once expires_at has passed. The same holder (a run id is in it)
// may take its own row again: a call repeated after a dropped connection lost its answer must not refuse its own run. The holder's process is not probed
// (unlike FileCheckpointStore's same-machine check): it may run on another host, where its process id means nothing here.
public sealed partial class PostgresCheckpointStore : IPipelineRunStore, IPipelineLeaseStore, ICheckpointCatalog
{
    private const string RunColumns = "run_id, pipeline, input, instance, status, holder, started_at, ended_at, start_checkpoint, checkpoint, "
        + "read, skipped, succeeded, dead_lettered, retried, error, dead_letter_location";

    private const string LeaseColumns = "instance, holder, token, machine, process_id, acquired_at, expires_at";

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="run"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The run id, pipeline or instance is empty or white space.</exception>
    public ValueTask SaveRunAsync(PipelineRunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.RunId, nameof(run));
        ArgumentException.ThrowIfNullOrWhiteSpace(run.Pipeline, nameof(run));
        ArgumentException.ThrowIfNullOrWhiteSpace(run.Instance, nameof(run));
        return RunCheckedAsync(token => SaveRunOnceAsync(run, token), cancellationToken);
    }

    private async ValueTask SaveRunOnceAsync(PipelineRunRecord run, CancellationToken cancellationToken)
    {
        var updates = string.Join(", ", Array.ConvertAll(RunColumns.Split(", ")[1..], c => c + " = EXCLUDED." + c));
        await using var command = _dataSource.CreateCommand(
            $"INSERT INTO {Tables.QualifiedRuns} ({RunColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) "
            + $"ON CONFLICT (run_id) DO UPDATE SET {updates}");
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter<string> { TypedValue = run.RunId });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = run.Pipeline });
        parameters.Add(Text(run.Input));
        parameters.Add(new NpgsqlParameter<string> { TypedValue = run.Instance });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = run.Status.ToString() });
        parameters.Add(Text(run.Holder));
        parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = run.StartedAt.ToUniversalTime() });
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = run.EndedAt is { } ended ? ended.ToUniversalTime() : DBNull.Value });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = run.StartCheckpoint });
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = run.Checkpoint is { } checkpoint ? checkpoint : DBNull.Value });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = run.Read });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = run.Skipped });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = run.Succeeded });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = run.DeadLettered });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = run.Retried });
        parameters.Add(Text(run.Error));
        parameters.Add(Text(run.DeadLetterLocation ?? DefaultDeadLetterLocation));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="runId"/> is <see langword="null"/>, empty or white space.</exception>
    public ValueTask<PipelineRunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        return RunCheckedAsync(token => GetRunOnceAsync(runId, token), cancellationToken);
    }

    private async ValueTask<PipelineRunRecord?> GetRunOnceAsync(string runId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {RunColumns} FROM {Tables.QualifiedRuns} WHERE run_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = runId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRun(reader) : null;
    }

    /// <inheritdoc/>
    /// <remarks>Newest first by start time (then run id, which starts with the start time).</remarks>
    public async IAsyncEnumerable<PipelineRunRecord> ListRunsAsync(string? instance = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT {RunColumns} FROM {Tables.QualifiedRuns} WHERE $1::text IS NULL OR instance = $1 ORDER BY started_at DESC, run_id DESC");
        command.Parameters.Add(Text(instance));
        await using var reader = await RunCheckedAsync(token => new ValueTask<NpgsqlDataReader>(command.ExecuteReaderAsync(token)), cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return ReadRun(reader);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The lease row is taken only when it is missing or expired, by the server's clock, so hosts with skewed clocks agree,
    /// or when it is held by the same <paramref name="holder"/> (a call repeated after its answer was lost; the pipeline's
    /// holder names its run id). The holder's machine and process id are recorded for operators.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="instance"/> or <paramref name="holder"/> is empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is under a second.</exception>
    public ValueTask<PipelineLease> AcquireLeaseAsync(string instance, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instance);
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.FromSeconds(1));
        return RunCheckedAsync(token => AcquireLeaseOnceAsync(instance, holder, duration, token), cancellationToken);
    }

    private async ValueTask<PipelineLease> AcquireLeaseOnceAsync(string instance, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockInstanceAsync(instance, connection, transaction, cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(
            $"INSERT INTO {Tables.QualifiedLeases} AS l ({LeaseColumns}) VALUES ($1, $2, $3, $4, $5, clock_timestamp(), clock_timestamp() + $6) "
            + "ON CONFLICT (instance) DO UPDATE SET holder = EXCLUDED.holder, token = EXCLUDED.token, machine = EXCLUDED.machine, "
            + "process_id = EXCLUDED.process_id, acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at "
            + "WHERE l.expires_at <= clock_timestamp() OR l.holder = EXCLUDED.holder "
            + $"RETURNING {LeaseColumns}",
            connection,
            transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instance });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = holder });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Guid.NewGuid().ToString("N") });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Environment.MachineName });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Environment.ProcessId });
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = duration });
            if (await ReadLeaseAsync(command, cancellationToken).ConfigureAwait(false) is { } taken)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return taken;
            }
        }

        // The upsert found a live lease (the advisory lock keeps it from going away meanwhile).
        var current = await GetLeaseAsync(instance, connection, transaction, cancellationToken).ConfigureAwait(false);
        throw current is null
            ? new PipelineInstanceBusyException($"Pipeline instance '{instance}' is being run by another holder.")
            : new PipelineInstanceBusyException(current);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="lease"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is under a second.</exception>
    public ValueTask<PipelineLease> RenewLeaseAsync(PipelineLease lease, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.FromSeconds(1));
        return RunCheckedAsync(token => RenewLeaseOnceAsync(lease, duration, token), cancellationToken);
    }

    private async ValueTask<PipelineLease> RenewLeaseOnceAsync(PipelineLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // Still ours (expired or not, as long as nobody took it since) or deleted by hand: written back.
        await using (var command = new NpgsqlCommand(
            $"INSERT INTO {Tables.QualifiedLeases} AS l ({LeaseColumns}) VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp() + $7) "
            + $"ON CONFLICT (instance) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE l.token = EXCLUDED.token RETURNING {LeaseColumns}",
            connection))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lease.Instance });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lease.Holder });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lease.Token });
            command.Parameters.Add(Text(lease.Machine));
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = lease.ProcessId is { } pid ? pid : DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = lease.AcquiredAt.ToUniversalTime() });
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = duration });
            if (await ReadLeaseAsync(command, cancellationToken).ConfigureAwait(false) is { } renewed)
            {
                return renewed;
            }
        }

        var current = await GetLeaseAsync(lease.Instance, connection, null, cancellationToken).ConfigureAwait(false);
        throw current is null
            ? new PipelineInstanceBusyException($"Pipeline instance '{lease.Instance}' lost its lease to another holder.")
            : new PipelineInstanceBusyException(current);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="lease"/> is <see langword="null"/>.</exception>
    public ValueTask ReleaseLeaseAsync(PipelineLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return RunCheckedAsync(token => ReleaseLeaseOnceAsync(lease, token), cancellationToken);
    }

    private async ValueTask ReleaseLeaseOnceAsync(PipelineLease lease, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"DELETE FROM {Tables.QualifiedLeases} WHERE instance = $1 AND token = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lease.Instance });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lease.Token });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="instance"/> is <see langword="null"/>, empty or white space.</exception>
    public ValueTask<PipelineLease?> GetLeaseAsync(string instance, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instance);
        return RunCheckedAsync(
            async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                return await GetLeaseAsync(instance, connection, null, token).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Ordered by instance, then partition.</remarks>
    public async IAsyncEnumerable<StoredCheckpoint> ListCheckpointsAsync(string? instance = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT pipeline, partition, position, committed_at FROM {Tables.QualifiedCheckpoints} WHERE $1::text IS NULL OR pipeline = $1 ORDER BY pipeline, partition");
        command.Parameters.Add(Text(instance));
        await using var reader = await RunCheckedAsync(token => new ValueTask<NpgsqlDataReader>(command.ExecuteReaderAsync(token)), cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new StoredCheckpoint
            {
                Instance = reader.GetString(0),
                Partition = reader.GetString(1),
                Position = reader.GetInt64(2),
                CommittedAt = reader.GetFieldValue<DateTimeOffset>(3),
            };
        }
    }

    /// <inheritdoc/>
    /// <remarks>Serialized with lease acquisition of the same instance, so a run cannot start between the check and the removal.</remarks>
    /// <exception cref="ArgumentException"><paramref name="instance"/> or <paramref name="partition"/> is <see langword="null"/>, empty or white space.</exception>
    public async ValueTask<bool> ResetAsync(string instance, string partition, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instance);
        ArgumentException.ThrowIfNullOrWhiteSpace(partition);
        await _schemaCheck.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockInstanceAsync(instance, connection, transaction, cancellationToken).ConfigureAwait(false);
        await using (var live = new NpgsqlCommand($"SELECT {LeaseColumns} FROM {Tables.QualifiedLeases} WHERE instance = $1 AND expires_at > clock_timestamp()", connection, transaction))
        {
            live.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instance });
            if (await ReadLeaseAsync(live, cancellationToken).ConfigureAwait(false) is { } current)
            {
                throw new PipelineInstanceBusyException(current);
            }
        }

        int removed;
        await using (var delete = new NpgsqlCommand($"DELETE FROM {Tables.QualifiedCheckpoints} WHERE pipeline = $1 AND partition = $2", connection, transaction))
        {
            delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instance });
            delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = partition });
            removed = await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return removed > 0;
    }

    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = value is null ? DBNull.Value : value };

    private static PipelineRunRecord ReadRun(DbDataReader reader) => new()
    {
        RunId = reader.GetString(0),
        Pipeline = reader.GetString(1),
        Input = reader.IsDBNull(2) ? null : reader.GetString(2),
        Instance = reader.GetString(3),
        Status = Enum.TryParse<PipelineRunStatus>(reader.GetString(4), out var status) ? status : PipelineRunStatus.Failed,
        Holder = reader.IsDBNull(5) ? null : reader.GetString(5),
        StartedAt = reader.GetFieldValue<DateTimeOffset>(6),
        EndedAt = reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
        StartCheckpoint = reader.GetInt64(8),
        Checkpoint = reader.IsDBNull(9) ? null : reader.GetInt64(9),
        Read = reader.GetInt64(10),
        Skipped = reader.GetInt64(11),
        Succeeded = reader.GetInt64(12),
        DeadLettered = reader.GetInt64(13),
        Retried = reader.GetInt64(14),
        Error = reader.IsDBNull(15) ? null : reader.GetString(15),
        DeadLetterLocation = reader.IsDBNull(16) ? null : reader.GetString(16),
    };

    private static async ValueTask<PipelineLease?> ReadLeaseAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new PipelineLease
        {
            Instance = reader.GetString(0),
            Holder = reader.GetString(1),
            Token = reader.GetString(2),
            Machine = reader.IsDBNull(3) ? null : reader.GetString(3),
            ProcessId = reader.IsDBNull(4) ? null : reader.GetInt32(4),
            AcquiredAt = reader.GetFieldValue<DateTimeOffset>(5),
            ExpiresAt = reader.GetFieldValue<DateTimeOffset>(6),
        };
    }

    private async ValueTask<PipelineLease?> GetLeaseAsync(string instance, NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {LeaseColumns} FROM {Tables.QualifiedLeases} WHERE instance = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instance });
        return await ReadLeaseAsync(command, cancellationToken).ConfigureAwait(false);
    }

    // A transaction-scoped advisory lock per lease table and instance: serializes acquisition with reset, and is released
    // by the server when the transaction ends, however the client ends.
    private async ValueTask LockInstanceAsync(string instance, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "sluice lease " + Tables.QualifiedLeases + " " + instance });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
