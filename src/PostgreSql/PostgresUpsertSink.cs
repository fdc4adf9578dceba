using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Sluice.PostgreSql;

/// <summary>
/// Writes records into a table by key with <c>INSERT … ON CONFLICT (key) DO UPDATE</c> (or <c>DO NOTHING</c>), one
/// <see cref="NpgsqlBatch"/> per call: a single round trip, one statement per record, so a key repeated within a batch
/// ends with its last record (or its first, with <see cref="PostgresConflictAction.DoNothing"/>).
/// </summary>
/// <remarks>
/// Used alone (<see cref="UpsertAsync(IReadOnlyList{T}, CancellationToken)"/>) each call is one transaction. Given to a
/// <see cref="PostgresTransactionalSink{T}"/> it writes inside the transaction that also advances the checkpoint.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class PostgresUpsertSink<T> : IIdempotentSink<T>, IPostgresBatchWriter<T>
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresTableMap<T>.PostgresColumn[] _columns;

    /// <summary>Creates a sink writing into <paramref name="map"/>'s table.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="map">The table and the explicit column mapping; it must have at least one key column. Later changes to it are not seen.</param>
    /// <param name="onConflict">What happens to an existing row with the same key; the default overwrites it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> or <paramref name="map"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="map"/> has no key column, or <paramref name="onConflict"/> is not defined.</exception>
    public PostgresUpsertSink(NpgsqlDataSource dataSource, PostgresTableMap<T> map, PostgresConflictAction onConflict = PostgresConflictAction.Update)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(map);
        if (!Enum.IsDefined(onConflict))
        {
            throw new ArgumentException($"{onConflict} is not a {nameof(PostgresConflictAction)}.", nameof(onConflict));
        }

        _columns = [.. map.Columns];
        if (!_columns.Any(c => c.IsKey))
        {
            throw new ArgumentException("The map needs at least one Key column: it is the ON CONFLICT target.", nameof(map));
        }

        _dataSource = dataSource;
        Sql = BuildSql(map, _columns, onConflict);
    }

    /// <summary>Gets the statement run for each record, for review (values are parameters <c>$1</c>, <c>$2</c>…).</summary>
    public string Sql { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is <see langword="null"/>.</exception>
    public async ValueTask UpsertAsync(IReadOnlyList<T> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(records, connection, transaction, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="records"/>, <paramref name="connection"/> or <paramref name="transaction"/> is <see langword="null"/>.</exception>
    public async ValueTask WriteAsync(IReadOnlyList<T> records, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(transaction);
        if (records.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var record in records)
        {
            var command = new NpgsqlBatchCommand(Sql);
            foreach (var column in _columns)
            {
                command.Parameters.Add(column.Parameter(record));
            }

            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string BuildSql(PostgresTableMap<T> map, PostgresTableMap<T>.PostgresColumn[] columns, PostgresConflictAction onConflict)
    {
        var sql = new StringBuilder("INSERT INTO ").Append(PostgresIdentifier.Qualify(map.Schema, map.Table)).Append(" (");
        sql.AppendJoin(", ", columns.Select(c => PostgresIdentifier.Quote(c.Name)));
        sql.Append(") VALUES (").AppendJoin(", ", columns.Select((_, i) => "$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        sql.Append(") ON CONFLICT (").AppendJoin(", ", columns.Where(c => c.IsKey).Select(c => PostgresIdentifier.Quote(c.Name))).Append(')');
        var values = columns.Where(c => !c.IsKey).ToArray();
        if (onConflict == PostgresConflictAction.DoNothing || values.Length == 0)
        {
            return sql.Append(" DO NOTHING").ToString();
        }

        sql.Append(" DO UPDATE SET ").AppendJoin(", ", values.Select(c => PostgresIdentifier.Quote(c.Name) + " = EXCLUDED." + PostgresIdentifier.Quote(c.Name)));
        return sql.ToString();
    }
}
