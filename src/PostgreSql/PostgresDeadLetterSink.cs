using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using NpgsqlTypes;

namespace Sluice.PostgreSql;

/// <summary>
/// Stores dead letters in a PostgreSQL table (<see cref="PostgresTableNames.DeadLetters"/>): the payload as <c>jsonb</c>,
/// the error's type, message and stack trace, the attempts, the pipeline, partition, key, position and time. A dead letter
/// whose id is already stored is not stored again, so a record dead-lettered again after a restart appears once.
/// </summary>
/// <remarks>
/// Create the table with <see cref="EnsureSchemaAsync(CancellationToken)"/> or the shipped script. A payload that is
/// not valid JSON (from a custom serializer) is stored as a JSON string holding the text, so it is never refused.
/// </remarks>
public sealed class PostgresDeadLetterSink : IDeadLetterSink
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _insert;
    private readonly string _select;

    /// <summary>Creates a sink writing to <paramref name="tables"/>' dead-letter table.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="tables">The table names; <see langword="null"/> uses <see cref="PostgresTableNames.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    public PostgresDeadLetterSink(NpgsqlDataSource dataSource, PostgresTableNames? tables = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        Tables = tables ?? PostgresTableNames.Default;
        var table = Tables.QualifiedDeadLetters;
        _insert = $"INSERT INTO {table} (id, pipeline, partition, record_key, position, payload, error_type, error_message, stack_trace, attempts, context, dead_lettered_at) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING";
        _select = $"SELECT id, pipeline, partition, record_key, position, payload::text, error_type, error_message, stack_trace, attempts, context::text, dead_lettered_at FROM {table} "
            + "WHERE pipeline = $1 ORDER BY position NULLS LAST, dead_lettered_at, id";
    }

    /// <summary>Gets the table names this sink uses.</summary>
    public PostgresTableNames Tables { get; }

    /// <summary>Creates the dead-letter table and its indexes where missing; changes nothing that exists.</summary>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>A task that completes once the table exists.</returns>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
        => PostgresSchema.RunAsync(_dataSource, PostgresSchema.DeadLetterStatements(Tables), cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="deadLetters"/> or one of them is <see langword="null"/>.</exception>
    public async ValueTask WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        if (deadLetters.Count == 0)
        {
            return;
        }

        // One transaction: the returned task completes only when every dead letter of the call is durable.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(deadLetters, connection, transaction, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Reads the dead letters of <paramref name="pipeline"/>, by position (those without one last), for review or replay.</summary>
    /// <param name="pipeline">The pipeline name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The dead letters.</returns>
    /// <exception cref="ArgumentException"><paramref name="pipeline"/> is <see langword="null"/>, empty or white space.</exception>
    public async IAsyncEnumerable<DeadLetter> ReadAsync(string pipeline, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pipeline);
        await using var command = _dataSource.CreateCommand(_select);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pipeline });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new DeadLetter
            {
                Id = reader.GetString(0),
                Pipeline = reader.IsDBNull(1) ? null : reader.GetString(1),
                Partition = reader.IsDBNull(2) ? null : reader.GetString(2),
                Key = reader.IsDBNull(3) ? null : reader.GetString(3),
                Position = reader.IsDBNull(4) ? null : reader.GetInt64(4),
                Payload = reader.GetString(5),
                ErrorType = reader.GetString(6),
                ErrorMessage = reader.GetString(7),
                StackTrace = reader.IsDBNull(8) ? null : reader.GetString(8),
                Attempts = reader.GetInt32(9),
                Context = reader.IsDBNull(10) ? null : ReadContext(reader.GetString(10)),
                Timestamp = reader.GetFieldValue<DateTimeOffset>(11),
            };
        }
    }

    internal async ValueTask WriteAsync(IReadOnlyList<DeadLetter> deadLetters, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (deadLetters.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var letter in deadLetters)
        {
            ArgumentNullException.ThrowIfNull(letter, nameof(deadLetters));
            var command = new NpgsqlBatchCommand(_insert);
            var parameters = command.Parameters;
            parameters.Add(new NpgsqlParameter<string> { TypedValue = letter.Id ?? Guid.NewGuid().ToString("N") });
            parameters.Add(Text(letter.Pipeline));
            parameters.Add(Text(letter.Partition));
            parameters.Add(Text(letter.Key));
            parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = letter.Position is { } p ? p : DBNull.Value });
            parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Jsonb, TypedValue = AsJson(letter.Payload) });
            parameters.Add(new NpgsqlParameter<string> { TypedValue = letter.ErrorType });
            parameters.Add(new NpgsqlParameter<string> { TypedValue = letter.ErrorMessage });
            parameters.Add(Text(letter.StackTrace));
            parameters.Add(new NpgsqlParameter<int> { TypedValue = letter.Attempts });
            parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = letter.Context is { } context ? WriteContext(context) : DBNull.Value });
            parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = letter.Timestamp.ToUniversalTime() });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = value is null ? DBNull.Value : value };

    private static string AsJson(string? payload)
    {
        if (payload is not null)
        {
            try
            {
                using var document = JsonDocument.Parse(payload);
                return payload;
            }
            catch (JsonException)
            {
                // Not JSON: kept as a JSON string below.
            }
        }

        return JsonSerializer.Serialize(payload ?? string.Empty, PostgresJsonContext.Default.String);
    }

    private static string WriteContext(IReadOnlyDictionary<string, string> context)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in context)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static Dictionary<string, string> ReadContext(string json)
    {
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            context[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        }

        return context;
    }
}
