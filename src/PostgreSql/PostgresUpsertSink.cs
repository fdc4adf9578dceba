using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Sluice.PostgreSql;

/// <summary>
/// Writes records into a table by key with <c>INSERT … ON CONFLICT (key) DO UPDATE</c> (or <c>DO NOTHING</c>). A call
/// with fewer than <see cref="CopyThreshold"/> records is one <see cref="NpgsqlBatch"/>: a single round trip, one
/// statement per record. A larger call is written with binary <c>COPY</c> into a temporary table dropped at commit, then
/// merged into the table by one <c>INSERT … SELECT … ON CONFLICT</c>. Both paths give the same rows: a key repeated
/// within a call ends with its last record (or its first, with <see cref="PostgresConflictAction.DoNothing"/>).
/// </summary>
/// <remarks>
/// Used alone (<see cref="UpsertAsync(IReadOnlyList{T}, CancellationToken)"/>) each call is one transaction. Given to a
/// <see cref="PostgresTransactionalSink{T}"/> it writes inside the transaction that also advances the checkpoint. The
/// COPY path types each value as its column (or as the type the map gives), so values must be of the column's own type
/// or one Npgsql converts to it; it needs the right to create temporary tables (PostgreSQL grants it by default).
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class PostgresUpsertSink<T> : IIdempotentSink<T>, IPostgresBatchWriter<T>
{
    /// <summary>The default <see cref="CopyThreshold"/>: from this many records a call is written with binary COPY.</summary>
    public const int DefaultCopyThreshold = 1000;

    private const string OrdinalColumn = "sluice_ordinal";

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresTableMap<T>.PostgresColumn[] _columns;
    private readonly string _staging = PostgresIdentifier.Quote("sluice_upsert_" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _createStaging;
    private readonly string _merge;
    private readonly string _copy;
    private readonly int _copyThreshold = DefaultCopyThreshold;
    private string[]? _columnTypes;

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
        var table = PostgresIdentifier.Qualify(map.Schema, map.Table);
        var names = string.Join(", ", _columns.Select(c => PostgresIdentifier.Quote(c.Name)));
        var keys = string.Join(", ", _columns.Where(c => c.IsKey).Select(c => PostgresIdentifier.Quote(c.Name)));

        // The staging table has the mapped columns with the table's own types, plus each record's place in the call.
        _createStaging = $"CREATE TEMP TABLE IF NOT EXISTS {_staging} ON COMMIT DROP AS SELECT {names}, 0::bigint AS {OrdinalColumn} FROM {table} WITH NO DATA; TRUNCATE {_staging}";
        _copy = $"COPY {_staging} ({names}, {OrdinalColumn}) FROM STDIN (FORMAT BINARY)";

        // One row per key, as the statement-per-record path leaves it: the last record of a key, or the first with DO NOTHING.
        var order = onConflict == PostgresConflictAction.DoNothing ? "ASC" : "DESC";
        var conflict = Sql[Sql.IndexOf(" ON CONFLICT", StringComparison.Ordinal)..];
        _merge = $"INSERT INTO {table} ({names}) SELECT {names} FROM (SELECT DISTINCT ON ({keys}) {names} FROM {_staging} ORDER BY {keys}, {OrdinalColumn} {order}) AS s{conflict}";
    }

    /// <summary>
    /// Gets the number of records from which a call is written with binary <c>COPY</c> into a temporary table and one
    /// merge, instead of one statement per record; <see cref="int.MaxValue"/> never uses COPY. The default is
    /// <see cref="DefaultCopyThreshold"/>. Measured on loopback (bench/Sluice.PostgresBench <c>copy</c>), COPY is slower than
    /// the statements for calls under about 150 records, about 1.4 times as fast at 200 and about 4 times at 1,000 and
    /// more; each COPY call also creates and drops a temporary table, so the default keeps COPY for the calls where it
    /// pays most. Lower it for pipelines with batches of a few hundred.
    /// </summary>
    /// <value>1 or more.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public int CopyThreshold
    {
        get => _copyThreshold;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(CopyThreshold));
            _copyThreshold = value;
        }
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

        if (records.Count >= _copyThreshold)
        {
            await CopyAndMergeAsync(records, connection, transaction, cancellationToken).ConfigureAwait(false);
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

    private async ValueTask CopyAndMergeAsync(IReadOnlyList<T> records, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(_createStaging, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var types = _columnTypes ??= await ReadColumnTypesAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var importer = await connection.BeginBinaryImportAsync(_copy, cancellationToken).ConfigureAwait(false);
        await using (importer.ConfigureAwait(false))
        {
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                for (var c = 0; c < _columns.Length; c++)
                {
                    await _columns[c].Copy(record, importer, types[c], cancellationToken).ConfigureAwait(false);
                }

                await importer.WriteAsync((long)i, NpgsqlTypes.NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var merge = new NpgsqlCommand(_merge, connection, transaction);
        await merge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // The staging table's column types, in the map's order: the types the COPY writes when the map names none.
    private async ValueTask<string[]> ReadColumnTypesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "pg_temp." + _staging });
        var types = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            types.Add(reader.GetString(0));
        }

        return [.. types];
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
