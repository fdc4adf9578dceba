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
/// whose id is already stored replaces it, so a record dead-lettered again after a restart appears once, as last written,
/// as a file store reads it. As an <see cref="IDeadLetterStore"/> it is read, filtered and purged by the
/// <c>sluice dead-letters</c> commands and by <see cref="DeadLetterReplay"/>.
/// </summary>
/// <remarks>
/// Create the table with <see cref="EnsureSchemaAsync(CancellationToken)"/> or the shipped script. A payload that is
/// not valid JSON (from a custom serializer) is stored as a JSON string holding the text, with <c>payload_escaped</c> set,
/// so it is never refused and is read back as written (as the file store does). PostgreSQL's <c>jsonb</c> and
/// <c>text</c> cannot hold the NUL character: a payload whose JSON holds one (<c>\u0000</c>) is stored the same way, as a
/// JSON string holding the payload's JSON text, and read back exactly as written (text that is not JSON and holds a NUL
/// character itself reads back as a JSON string of the text); in the other text columns (error message, stack trace, key, context values) a NUL is replaced with U+FFFD, so
/// such a dead letter is stored, readable, rather than failing its run. On its first call the sink reads the table's
/// recorded schema version once and refuses, with the message <see cref="EnsureSchemaAsync(CancellationToken)"/> gives (an
/// <see cref="InvalidOperationException"/>), a table a newer version of the package has recorded; without a version table
/// it works with the columns it finds, as before. <see cref="WriteAsync(IReadOnlyList{DeadLetter}, CancellationToken)"/>
/// writes its dead letters in one transaction and, when the connection broke (the server ended the session, as
/// <c>pg_terminate_backend</c> or a failover does, or the network dropped it), writes them again on another connection,
/// up to 5 times in all, 50, 100, 200 and 400 ms apart, as <see cref="PostgresCheckpointStore"/> does: a failure before
/// the commit left nothing, and each row is keyed by the dead letter's id (given one, if it had none, before the first
/// attempt), so an attempt repeated after a commit whose answer was lost stores each dead letter once.
/// </remarks>
public sealed class PostgresDeadLetterSink : IDeadLetterStore
{
    private const string Columns = "id, pipeline, partition, record_key, position, payload::text, error_type, error_message, stack_trace, attempts, context::text, "
        + "dead_lettered_at, instance, run_id, payload_escaped";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _insert;
    private readonly string _select;
    private readonly PostgresSchemaCheck _schemaCheck;

    /// <summary>Creates a sink writing to <paramref name="tables"/>' dead-letter table.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="tables">The table names; <see langword="null"/> uses <see cref="PostgresTableNames.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    public PostgresDeadLetterSink(NpgsqlDataSource dataSource, PostgresTableNames? tables = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        Tables = tables ?? PostgresTableNames.Default;
        _schemaCheck = new PostgresSchemaCheck(dataSource, Tables, Tables.DeadLetters);
        var table = Tables.QualifiedDeadLetters;
        _insert = $"INSERT INTO {table} (id, pipeline, partition, record_key, position, payload, error_type, error_message, stack_trace, attempts, context, dead_lettered_at, "
            + "instance, run_id, payload_escaped) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (id) DO UPDATE SET "
            + "pipeline = EXCLUDED.pipeline, partition = EXCLUDED.partition, record_key = EXCLUDED.record_key, position = EXCLUDED.position, payload = EXCLUDED.payload, "
            + "error_type = EXCLUDED.error_type, error_message = EXCLUDED.error_message, stack_trace = EXCLUDED.stack_trace, attempts = EXCLUDED.attempts, "
            + "context = EXCLUDED.context, dead_lettered_at = EXCLUDED.dead_lettered_at, instance = EXCLUDED.instance, run_id = EXCLUDED.run_id, "
            + "payload_escaped = EXCLUDED.payload_escaped, stored_at = now()";
        _select = $"SELECT {Columns} FROM {table} WHERE pipeline = $1 ORDER BY position NULLS LAST, dead_lettered_at, id";
        var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Location = $"postgresql://{builder.Host}:{builder.Port}/{builder.Database} {table}";
    }

    /// <summary>Gets the database and table: <c>postgresql://host:port/database "schema"."table"</c>, never credentials.</summary>
    public string Location { get; }

    /// <summary>Gets the table names this sink uses.</summary>
    public PostgresTableNames Tables { get; }

    /// <summary>
    /// Creates the dead-letter table and its indexes where missing and upgrades a table of an older schema version in
    /// place (see <see cref="PostgresSchema"/>); drops and rewrites nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>A task that completes once the table exists.</returns>
    /// <exception cref="InvalidOperationException">The table has a schema version newer than <see cref="PostgresSchema.CurrentVersion"/>; nothing was changed.</exception>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
        => PostgresSchema.RunAsync(_dataSource, PostgresSchema.Statements(Tables, deadLetters: true, checkpoints: false), cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="deadLetters"/> or one of them is <see langword="null"/>.</exception>
    public async ValueTask WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        if (deadLetters.Count == 0)
        {
            return;
        }

        await _schemaCheck.EnsureAsync(cancellationToken).ConfigureAwait(false);

        // Ids are settled before the first attempt, so every attempt writes the same rows: an attempt repeated after its
        // commit landed (only the answer was lost) replaces each row with itself rather than adding one.
        var letters = WithIds(deadLetters);

        // One transaction: the returned task completes only when every dead letter of the call is durable. A broken
        // connection before the commit rolls everything back (the server ends the transaction with the session), so the
        // call is made again on another connection, as the checkpoint store's calls are.
        await PostgresRetry.RunAsync(
            async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
                await WriteAsync(letters, connection, transaction, token).ConfigureAwait(false);
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the dead letters of <paramref name="pipeline"/>, by position (those without one last), for review or replay.</summary>
    /// <param name="pipeline">The pipeline name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The dead letters.</returns>
    /// <exception cref="ArgumentException"><paramref name="pipeline"/> is <see langword="null"/>, empty or white space.</exception>
#pragma warning disable RS0026 // Two ReadAsync overloads with optional tokens: a pipeline name or a query picks one (a bare null must be typed).
    public async IAsyncEnumerable<DeadLetter> ReadAsync(string pipeline, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pipeline);
        await _schemaCheck.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(_select);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pipeline });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return ReadLetter(reader);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Oldest first by <see cref="DeadLetter.Timestamp"/> (then id); the filter runs in the database, on the table's indexes.</remarks>
    public async IAsyncEnumerable<DeadLetter> ReadAsync(DeadLetterQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
#pragma warning restore RS0026
    {
        query ??= new DeadLetterQuery();
        await _schemaCheck.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(
            $"SELECT {Columns} FROM {Tables.QualifiedDeadLetters} WHERE ($1::text IS NULL OR coalesce(instance, pipeline) = $1) AND ($2::text IS NULL OR pipeline = $2) "
            + "AND ($3::text IS NULL OR error_type = $3 OR right(error_type, length($3) + 1) = '.' || $3) "
            + "AND ($4::timestamptz IS NULL OR dead_lettered_at >= $4) AND ($5::timestamptz IS NULL OR dead_lettered_at < $5) ORDER BY dead_lettered_at, id");
        command.Parameters.Add(Text(query.Instance));
        command.Parameters.Add(Text(query.Pipeline));
        command.Parameters.Add(Text(query.ErrorType));
        command.Parameters.Add(Time(query.Since));
        command.Parameters.Add(Time(query.Until));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return ReadLetter(reader);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> or one of them is <see langword="null"/>.</exception>
    public async ValueTask<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return 0;
        }

        var array = new string[ids.Count];
        var index = 0;
        foreach (var id in ids)
        {
            array[index++] = id ?? throw new ArgumentNullException(nameof(ids), "An id is null.");
        }

        await _schemaCheck.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"DELETE FROM {Tables.QualifiedDeadLetters} WHERE id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = array });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Refuses, on the first call of this sink, a table whose recorded schema version is newer than this package knows.</summary>
    internal ValueTask CheckSchemaAsync(CancellationToken cancellationToken) => _schemaCheck.EnsureAsync(cancellationToken);

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
            var (payload, escaped) = AsJson(letter.Payload);
            parameters.Add(Text(letter.Pipeline));
            parameters.Add(Text(letter.Partition));
            parameters.Add(Text(letter.Key));
            parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = letter.Position is { } p ? p : DBNull.Value });
            parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Jsonb, TypedValue = payload });
            parameters.Add(new NpgsqlParameter<string> { TypedValue = WithoutNul(letter.ErrorType) });
            parameters.Add(new NpgsqlParameter<string> { TypedValue = WithoutNul(letter.ErrorMessage) });
            parameters.Add(Text(letter.StackTrace));
            parameters.Add(new NpgsqlParameter<int> { TypedValue = letter.Attempts });
            parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = letter.Context is { } context ? WriteContext(context) : DBNull.Value });
            parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = letter.Timestamp.ToUniversalTime() });
            parameters.Add(Text(letter.Instance));
            parameters.Add(Text(letter.RunId));
            parameters.Add(new NpgsqlParameter<bool> { TypedValue = escaped });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // The dead letters with an id each: those without one get a new one here, once per call.
    private static IReadOnlyList<DeadLetter> WithIds(IReadOnlyList<DeadLetter> deadLetters)
    {
        DeadLetter[]? copy = null;
        for (var i = 0; i < deadLetters.Count; i++)
        {
            var letter = deadLetters[i];
            ArgumentNullException.ThrowIfNull(letter, nameof(deadLetters));
            if (letter.Id is null)
            {
                copy ??= [.. deadLetters];
                copy[i] = letter with { Id = Guid.NewGuid().ToString("N") };
            }
        }

        return copy ?? deadLetters;
    }

    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = value is null ? DBNull.Value : WithoutNul(value) };

    private static NpgsqlParameter Time(DateTimeOffset? value) => new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = value is { } time ? time.ToUniversalTime() : DBNull.Value };

    // text columns refuse NUL: replaced with U+FFFD, the replacement character, which keeps the rest readable.
    private static string WithoutNul(string value) => value.Contains('\0', StringComparison.Ordinal) ? value.Replace('\0', '\uFFFD') : value;

    private static DeadLetter ReadLetter(NpgsqlDataReader reader)
    {
        var payload = reader.GetString(5);
        return new DeadLetter
        {
            Id = reader.GetString(0),
            Pipeline = reader.IsDBNull(1) ? null : reader.GetString(1),
            Partition = reader.IsDBNull(2) ? null : reader.GetString(2),
            Key = reader.IsDBNull(3) ? null : reader.GetString(3),
            Position = reader.IsDBNull(4) ? null : reader.GetInt64(4),
            Payload = reader.GetBoolean(14) ? JsonSerializer.Deserialize(payload, PostgresJsonContext.Default.String)! : payload,
            ErrorType = reader.GetString(6),
            ErrorMessage = reader.GetString(7),
            StackTrace = reader.IsDBNull(8) ? null : reader.GetString(8),
            Attempts = reader.GetInt32(9),
            Context = reader.IsDBNull(10) ? null : ReadContext(reader.GetString(10)),
            Timestamp = reader.GetFieldValue<DateTimeOffset>(11),
            Instance = reader.IsDBNull(12) ? null : reader.GetString(12),
            RunId = reader.IsDBNull(13) ? null : reader.GetString(13),
        };
    }

    // The jsonb value to store, and whether it is the payload's text wrapped in a JSON string, which reading unwraps into
    // exactly the text that was written: text that is not JSON, or JSON holding the NUL character, which jsonb refuses
    // (JSON text holds only the escape \u0000, which a string may). Text that is not JSON and holds a NUL character itself
    // cannot be wrapped once (the string would hold the NUL): it is wrapped twice and reads back as a JSON string of it.
    internal static (string Json, bool Escaped) AsJson(string? payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload ?? throw new JsonException());
            return HoldsNul(document.RootElement) ? (Wrap(payload), true) : (payload, false);
        }
        catch (JsonException)
        {
            var text = payload ?? string.Empty;
            return (text.Contains('\0', StringComparison.Ordinal) ? Wrap(Wrap(text)) : Wrap(text), true);
        }

        static string Wrap(string text) => JsonSerializer.Serialize(text, PostgresJsonContext.Default.String);
    }

    private static bool HoldsNul(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return element.GetString()!.Contains('\0', StringComparison.Ordinal);
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (HoldsNul(item))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name.Contains('\0', StringComparison.Ordinal) || HoldsNul(property.Value))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private static string WriteContext(IReadOnlyDictionary<string, string> context)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in context)
            {
                writer.WriteString(WithoutNul(key), value is null ? null : WithoutNul(value));
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
