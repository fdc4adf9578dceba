using System;
using System.Collections.Generic;
using Npgsql;
using NpgsqlTypes;

namespace Sluice.PostgreSql;

/// <summary>What to do when a row with the same key exists.</summary>
public enum PostgresConflictAction
{
    /// <summary>Overwrite the row's non-key columns with the record's values (<c>ON CONFLICT (key) DO UPDATE</c>).</summary>
    Update,

    /// <summary>Keep the existing row unchanged (<c>ON CONFLICT (key) DO NOTHING</c>): first write wins.</summary>
    DoNothing,
}

/// <summary>
/// The explicit mapping of a record type to a table: which columns form the key (the conflict target, which must be a
/// primary key or unique constraint) and which value each column takes. Names are validated plain identifiers, quoted in SQL.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class PostgresTableMap<T>
{
    private readonly List<PostgresColumn> _columns = [];

    /// <summary>Starts the mapping of <paramref name="table"/> in <paramref name="schema"/>.</summary>
    /// <param name="table">The table name: a plain identifier of at most 63 characters.</param>
    /// <param name="schema">The schema name; the default is <c>public</c>.</param>
    /// <exception cref="ArgumentException">A name is not a plain identifier.</exception>
    public PostgresTableMap(string table, string schema = "public")
    {
        Table = PostgresIdentifier.Validate(table, 63, nameof(table));
        Schema = PostgresIdentifier.Validate(schema, 63, nameof(schema));
    }

    /// <summary>Gets the table name.</summary>
    public string Table { get; }

    /// <summary>Gets the schema name.</summary>
    public string Schema { get; }

    internal IReadOnlyList<PostgresColumn> Columns => _columns;

    /// <summary>Adds a key column: part of the conflict target.</summary>
    /// <typeparam name="TValue">The column's CLR type; Npgsql maps it to the PostgreSQL type unless <paramref name="type"/> is given.</typeparam>
    /// <param name="column">The column name: a plain identifier.</param>
    /// <param name="value">Reads the column's value from a record.</param>
    /// <param name="type">The PostgreSQL type when the default mapping is not the column's (for example <see cref="NpgsqlDbType.Jsonb"/>).</param>
    /// <returns>This map.</returns>
    /// <exception cref="ArgumentException"><paramref name="column"/> is not a plain identifier or is mapped already.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    public PostgresTableMap<T> Key<TValue>(string column, Func<T, TValue> value, NpgsqlDbType? type = null) => Add(column, value, type, isKey: true);

    /// <summary>Adds a value column: written on insert and, with <see cref="PostgresConflictAction.Update"/>, on conflict.</summary>
    /// <typeparam name="TValue">The column's CLR type; Npgsql maps it to the PostgreSQL type unless <paramref name="type"/> is given.</typeparam>
    /// <param name="column">The column name: a plain identifier.</param>
    /// <param name="value">Reads the column's value from a record.</param>
    /// <param name="type">The PostgreSQL type when the default mapping is not the column's (for example <see cref="NpgsqlDbType.Jsonb"/>).</param>
    /// <returns>This map.</returns>
    /// <exception cref="ArgumentException"><paramref name="column"/> is not a plain identifier or is mapped already.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    public PostgresTableMap<T> Column<TValue>(string column, Func<T, TValue> value, NpgsqlDbType? type = null) => Add(column, value, type, isKey: false);

    private PostgresTableMap<T> Add<TValue>(string column, Func<T, TValue> value, NpgsqlDbType? type, bool isKey)
    {
        PostgresIdentifier.Validate(column, 63, nameof(column));
        ArgumentNullException.ThrowIfNull(value);
        if (_columns.Exists(c => c.Name == column))
        {
            throw new ArgumentException($"Column '{column}' is mapped twice.", nameof(column));
        }

        _columns.Add(new PostgresColumn(
            column,
            isKey,
            record =>
            {
                var parameter = new NpgsqlParameter<TValue> { TypedValue = value(record) };
                if (type is { } dbType)
                {
                    parameter.NpgsqlDbType = dbType;
                }

                return parameter;
            },
            (record, importer, dataTypeName, cancellationToken) => value(record) is { } cell
                ? type is { } dbType ? importer.WriteAsync(cell, dbType, cancellationToken) : importer.WriteAsync(cell, dataTypeName, cancellationToken)
                : importer.WriteNullAsync(cancellationToken)));
        return this;
    }

    /// <summary>A mapped column: how to pass a record's value as a parameter, and how to write it into a binary COPY (typed as the column when the map gives no type).</summary>
    internal sealed record PostgresColumn(string Name, bool IsKey, Func<T, NpgsqlParameter> Parameter, Func<T, NpgsqlBinaryImporter, string, System.Threading.CancellationToken, System.Threading.Tasks.Task> Copy);
}
