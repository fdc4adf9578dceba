using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Sluice;
using Sluice.PostgreSql;

// Records/s into PostgreSQL through PostgresUpsertSink, with the checkpoint committed after each batch in a separate
// transaction (transactional checkpointing off: PostgresCheckpointStore) versus in the batch's own transaction
// (on: PostgresTransactionalSink), and without checkpoints as the floor. The ways alternate within each round on the
// same server, so the ratios hold on a shared machine where the absolute figures do not.
//
// dotnet run -c Release --project bench/Sluice.PostgresBench -- [records] [batch size] [rounds]
// dotnet run -c Release --project bench/Sluice.PostgresBench -- copy [records] [rounds]
//   the upsert sink's two paths side by side: one statement per record versus binary COPY + merge, per call size.
// The server comes from SLUICE_POSTGRES_CONNECTION (what .ci/postgres.sh exports).
if (args is ["copy", ..])
{
    await CopyBench.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3);
    return;
}

var records = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50_000;
var batchSize = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
var connectionString = Environment.GetEnvironmentVariable("SLUICE_POSTGRES_CONNECTION")
    ?? throw new InvalidOperationException("Set SLUICE_POSTGRES_CONNECTION (for example by sourcing .ci/postgres.sh and calling postgres_start).");

await using var dataSource = NpgsqlDataSource.Create(connectionString);
var schema = "bench_" + Guid.NewGuid().ToString("N")[..8];
await Execute($"CREATE SCHEMA \"{schema}\"");
var tables = new PostgresTableNames { Schema = schema };
await PostgresSchema.EnsureAsync(dataSource, tables);
await Execute($"CREATE TABLE \"{schema}\".items (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric NOT NULL)");
var upsert = new PostgresUpsertSink<Item>(dataSource, new PostgresTableMap<Item>("items", schema)
    .Key("id", i => i.Id).Column("customer", i => i.Customer).Column("amount", i => i.Amount));
var checkpoints = new PostgresCheckpointStore(dataSource, tables);
var transactional = new PostgresTransactionalSink<Item>(dataSource, upsert, tables);

var ways = new (string Name, Func<string, Task> Run)[]
{
    ("upsert, no checkpoints", name => SluicePipeline.From(Source()).WithName(name).WithBatchSize(batchSize)
        .RunAsync((batch, token) => upsert.UpsertAsync(batch, token))),
    ("upsert + checkpoint in its own transaction (off)", name => SluicePipeline.From(Source()).WithName(name).WithBatchSize(batchSize)
        .WithCheckpoints(checkpoints)
        .RunAsync((batch, token) => upsert.UpsertAsync(batch, token))),
    ("upsert + checkpoint in the batch's transaction (on)", name => SluicePipeline.From(Source()).WithName(name).WithBatchSize(batchSize)
        .WithTransactionalSink(transactional)
        .RunAsync(static (_, _) => ValueTask.CompletedTask)),
};

try
{
    var rates = ways.Select(_ => new List<double>()).ToArray();
    await ways[0].Run("warm-up"); // JIT, pool and table warm
    for (var round = 0; round < rounds; round++)
    {
        // Alternate the order each round so no way always runs first (or after a vacuum-heavy neighbour).
        var order = Enumerable.Range(0, ways.Length).ToArray();
        if (round % 2 == 1)
        {
            Array.Reverse(order);
        }

        foreach (var i in order)
        {
            await Execute($"TRUNCATE \"{schema}\".items");
            var watch = Stopwatch.StartNew();
            await ways[i].Run($"way{i}-round{round}");
            rates[i].Add(records / watch.Elapsed.TotalSeconds);
        }
    }

    Console.WriteLine($"PostgreSQL upsert sink: {records:N0} records, batches of {batchSize}, {rounds} rounds, median records/s");
    Console.WriteLine("| Way | records/s (median) | ÷ off |");
    Console.WriteLine("|---|---:|---:|");
    var off = Median(rates[1]);
    for (var i = 0; i < ways.Length; i++)
    {
        Console.WriteLine($"| {ways[i].Name} | {Median(rates[i]):N0} | {Median(rates[i]) / off:0.00} |");
    }
}
finally
{
    await Execute($"DROP SCHEMA \"{schema}\" CASCADE");
}

IEnumerable<Item> Source()
{
    for (var i = 0; i < records; i++)
    {
        yield return new Item(i, "customer-" + (i % 1000).ToString(CultureInfo.InvariantCulture), i % 997 * 1.25m);
    }
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

async Task Execute(string sql)
{
    await using var command = dataSource.CreateCommand(sql);
    await command.ExecuteNonQueryAsync();
}

internal sealed record Item(long Id, string Customer, decimal Amount);
