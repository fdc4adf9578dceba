using Npgsql;
using Polly;

namespace Sluice.PostgreSql.Tests.Support;

/// <summary>A test record: an id and a value; the events table refuses negative values (a CHECK constraint).</summary>
internal sealed record Event(int Id, int Value);

/// <summary>
/// A plain INSERT into a table with no key on the record id: not idempotent at all, so a record written twice shows
/// up as two rows. Exactly-once effect can only come from the transaction around it.
/// </summary>
internal sealed class PlainInsertWriter(string schema) : IPostgresBatchWriter<Event>
{
    public static string CreateTable(string schema)
        => $"CREATE TABLE \"{schema}\".events (seq bigserial PRIMARY KEY, record_id int NOT NULL, value int NOT NULL CHECK (value >= 0))";

    public async ValueTask WriteAsync(IReadOnlyList<Event> records, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var record in records)
        {
            var command = new NpgsqlBatchCommand($"INSERT INTO \"{schema}\".events (record_id, value) VALUES ($1, $2)");
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = record.Id });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = record.Value });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}

internal static class Fast
{
    /// <summary>The Sluice default resilience with no delays and no breaker, so tests never sleep.</summary>
    public static ResiliencePipeline Resilience(int maxRetryAttempts = 3) => SluiceResilience.CreatePipeline(new SluiceResilienceOptions
    {
        BaseDelay = TimeSpan.Zero,
        MaxDelay = TimeSpan.Zero,
        EnableCircuitBreaker = false,
        MaxRetryAttempts = maxRetryAttempts,
    });
}

internal static class Outcome
{
    /// <summary>The record ids in the events table, one entry per row (duplicates kept), in order.</summary>
    public static async Task<List<int>> StoredIdsAsync(NpgsqlDataSource dataSource, string schema)
    {
        var ids = new List<int>();
        await using var command = dataSource.CreateCommand($"SELECT record_id FROM \"{schema}\".events ORDER BY record_id");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt32(0));
        }

        return ids;
    }

    /// <summary>The positions of the stored dead letters, one entry per row, in order.</summary>
    public static async Task<List<long>> DeadLetteredPositionsAsync(NpgsqlDataSource dataSource, PostgresTableNames tables, string pipeline)
        => await new PostgresDeadLetterSink(dataSource, tables).ReadAsync(pipeline).Select(d => d.Position!.Value).ToListAsync();
}
