namespace Sluice.Cli.Tests;

public sealed record Order(int Id, string Customer, decimal Amount);

/// <summary>A store made by real pipeline runs: two days of an order import, each with dead letters.</summary>
internal sealed class TestStore : IDisposable
{
    public const string Monday = "orders-import@2026-11-29";
    public const string Tuesday = "orders-import@2026-11-30";

    public TestStore()
    {
        Root = Path.Combine(Path.GetTempPath(), "sluice-cli-tests-" + Guid.NewGuid().ToString("N"));
        StoreDirectory = Path.Combine(Root, "store");
        DeadLetterPath = Path.Combine(Root, "dead-letters.jsonl");
    }

    public string Root { get; }

    public string StoreDirectory { get; }

    public string DeadLetterPath { get; }

    public PipelineReport MondayRun { get; private set; } = null!;

    public PipelineReport TuesdayRun { get; private set; } = null!;

    public static async Task<TestStore> CreateAsync()
    {
        var store = new TestStore();
        using var checkpoints = new FileCheckpointStore(store.StoreDirectory);
        using var deadLetters = new JsonLinesDeadLetterSink(store.DeadLetterPath);
        store.MondayRun = await RunDayAsync("2026-11-29", 20, checkpoints, deadLetters);
        store.TuesdayRun = await RunDayAsync("2026-11-30", 30, checkpoints, deadLetters);
        return store;
    }

    // Orders whose id is a multiple of 7 have no customer (FormatException); a multiple of 10 times out.
    private static Task<PipelineReport> RunDayAsync(string day, int count, FileCheckpointStore checkpoints, JsonLinesDeadLetterSink deadLetters)
        => SluicePipeline.From(Enumerable.Range(1, count).Select(i => new Order(i, i % 7 == 0 ? "" : "customer-" + i, i * 1.5m)))
            .WithName("orders-import")
            .ForInput(day)
            .WithCheckpoints(checkpoints)
            .WithDeadLetters(deadLetters)
            .RunAsync((order, _) => order.Customer.Length == 0
                ? throw new FormatException($"order {order.Id} has no customer")
                : order.Id % 10 == 0 ? throw new TimeoutException($"ledger timed out on order {order.Id}") : ValueTask.CompletedTask);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
