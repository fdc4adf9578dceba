using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Sluice.PostgreSql;

/// <summary>
/// A store's check, on its first use, that none of its tables has a schema version newer than
/// <see cref="PostgresSchema.CurrentVersion"/>: a newer package may have changed what a column means, so the store refuses
/// rather than read or write it as this version understands it. The answer is kept for the store's lifetime: once it
/// passed, the database is not asked again, and a refusal is given again without asking it. A database without the version table
/// (tables made by the script of version 1, or by hand) passes: nothing newer has been recorded there, and the store then
/// works with the columns it finds, as before versions were recorded.
/// </summary>
internal sealed class PostgresSchemaCheck
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresTableNames _tables;
    private readonly string[] _names;
    private readonly string _query;
    private volatile bool _passed;
    private volatile string? _refusal;

    public PostgresSchemaCheck(NpgsqlDataSource dataSource, PostgresTableNames tables, params string[] names)
    {
        _dataSource = dataSource;
        _tables = tables;
        _names = names;
        _query = $"SELECT table_name, version FROM {tables.QualifiedSchemaVersions} WHERE table_name = ANY($1) AND version > $2 ORDER BY version DESC, table_name LIMIT 1";
    }

    /// <summary>Completes when the tables are of a version this package knows; throws the refusal otherwise.</summary>
    /// <exception cref="InvalidOperationException">A table has a newer schema version.</exception>
    public ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        if (_passed)
        {
            return ValueTask.CompletedTask;
        }

        return _refusal is { } refusal ? ValueTask.FromException(new InvalidOperationException(refusal)) : CheckAsync(cancellationToken);
    }

    /// <summary>The refusal, worded as <see cref="PostgresSchema.EnsureAsync"/> words it.</summary>
    internal static string NewerMessage(string schema, string table, int version)
        => string.Format(
            CultureInfo.InvariantCulture,
            "The Sluice table {0}.{1} has schema version {2}, newer than this version of Sluice.PostgreSql knows ({3}): upgrade the package (or use the script of the version that made it). Nothing was changed.",
            schema,
            table,
            version,
            PostgresSchema.CurrentVersion);

    private async ValueTask CheckAsync(CancellationToken cancellationToken)
    {
        // Concurrent first calls may each ask; they get the same answer, and asking is read-only.
        var newer = await PostgresRetry.RunAsync(QueryAsync, cancellationToken).ConfigureAwait(false);
        if (newer is var (table, version))
        {
            _refusal = NewerMessage(_tables.Schema, table, version);
            throw new InvalidOperationException(_refusal);
        }

        _passed = true;
    }

    private async ValueTask<(string Table, int Version)?> QueryAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // No version table: nothing newer was recorded (to_regclass is null for a missing table, where a query would fail).
        await using (var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _tables.QualifiedSchemaVersions });
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return null;
            }
        }

        await using var command = new NpgsqlCommand(_query, connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = _names });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = PostgresSchema.CurrentVersion });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetInt32(1)) : null;
    }
}
