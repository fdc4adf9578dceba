using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Sluice.PostgreSql;

/// <summary>
/// PostgresUpsertSink's two paths on the same records: one INSERT ... ON CONFLICT per record in one NpgsqlBatch, versus
/// binary COPY into a staging table and one merge. Each round writes every record twice (inserts, then updates of every
/// key) in calls of the given size, the two paths alternating; the ratio is COPY's records/s over the statements'.
/// </summary>
internal static class CopyBench
{
    public static async Task RunAsync(int records, int rounds)
    {
        var connectionString = Environment.GetEnvironmentVariable("SLUICE_POSTGRES_CONNECTION")
            ?? throw new InvalidOperationException("Set SLUICE_POSTGRES_CONNECTION (for example by sourcing .ci/postgres.sh and calling postgres_start).");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var schema = "bench_copy_" + Guid.NewGuid().ToString("N")[..8];
        await ExecuteAsync(dataSource, $"CREATE SCHEMA \"{schema}\"");
        await ExecuteAsync(dataSource, $"CREATE TABLE \"{schema}\".items (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric NOT NULL)");
        var map = new PostgresTableMap<Item>("items", schema).Key("id", i => i.Id).Column("customer", i => i.Customer).Column("amount", i => i.Amount);
        var ways = new (string Name, PostgresUpsertSink<Item> Sink)[]
        {
            ("statements", new PostgresUpsertSink<Item>(dataSource, map) { CopyThreshold = int.MaxValue }),
            ("copy", new PostgresUpsertSink<Item>(dataSource, map) { CopyThreshold = 1 }),
        };

        try
        {
            Console.WriteLine($"PostgresUpsertSink paths: {records:N0} records inserted then updated, {rounds} rounds, median records/s");
            Console.WriteLine("| Call size | statements (records/s) | COPY + merge (records/s) | COPY ÷ statements |");
            Console.WriteLine("|---:|---:|---:|---:|");
            foreach (var size in new[] { 50, 100, 200, 1000, 5000 })
            {
                var rates = new[] { new List<double>(), new List<double>() };
                await PassAsync(ways[1].Sink, size, 1); // warm-up: JIT, pool, both statements prepared
                await PassAsync(ways[0].Sink, size, 1);
                for (var round = 0; round < rounds; round++)
                {
                    foreach (var i in round % 2 == 0 ? new[] { 0, 1 } : new[] { 1, 0 })
                    {
                        await ExecuteAsync(dataSource, $"TRUNCATE \"{schema}\".items");
                        var watch = Stopwatch.StartNew();
                        await PassAsync(ways[i].Sink, size, 1);
                        await PassAsync(ways[i].Sink, size, 2);
                        rates[i].Add(2.0 * records / watch.Elapsed.TotalSeconds);
                    }
                }

                var (statements, copy) = (Median(rates[0]), Median(rates[1]));
                Console.WriteLine($"| {size:N0} | {statements:N0} | {copy:N0} | {copy / statements:0.00} |");
            }
        }
        finally
        {
            await ExecuteAsync(dataSource, $"DROP SCHEMA \"{schema}\" CASCADE");
        }

        async Task PassAsync(PostgresUpsertSink<Item> sink, int size, int pass)
        {
            for (var start = 0; start < records; start += size)
            {
                var call = Enumerable.Range(start, Math.Min(size, records - start))
                    .Select(i => new Item(i, "customer-" + (i % 1000).ToString(CultureInfo.InvariantCulture), i % 997 * 1.25m * pass))
                    .ToArray();
                await sink.UpsertAsync(call);
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
