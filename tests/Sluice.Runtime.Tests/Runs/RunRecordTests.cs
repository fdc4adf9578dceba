using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Runs;

public class RunRecordTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Each_run_is_recorded_with_its_status_counts_checkpoint_and_dead_letters()
    {
        using var store = new FileCheckpointStore(_temp.File("store"));
        using var deadLetters = new JsonLinesDeadLetterSink(_temp.File("dead.jsonl"));
        using var cts = new CancellationTokenSource();

        // 1: canceled part-way.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SluicePipeline.From(Enumerable.Range(0, 1000))
            .WithName("records").ForInput("a").WithBatchSize(10).WithCheckpoints(store).WithDeadLetters(deadLetters)
            .RunAsync(async (id, token) =>
            {
                if (id == 100)
                {
                    await cts.CancelAsync();
                    await Task.Delay(Timeout.Infinite, token);
                }
            }, cts.Token));

        // 2: fails (the sink refuses a record and there is nowhere... the handler throws an unexpected error without dead letters).
        await Assert.ThrowsAsync<InvalidOperationException>(() => SluicePipeline.From(Enumerable.Range(0, 1000))
            .WithName("records").ForInput("a").WithBatchSize(10).WithCheckpoints(store)
            .RunAsync((id, _) => id == 500 ? throw new InvalidOperationException("no sink for 500") : ValueTask.CompletedTask));

        // 3: completes, dead-lettering two records.
        var report = await SluicePipeline.From(Enumerable.Range(0, 1000))
            .WithName("records").ForInput("a").WithBatchSize(10).WithCheckpoints(store).WithDeadLetters(deadLetters)
            .RunAsync((id, _) => id is 500 or 700 ? throw new FormatException($"bad {id}") : ValueTask.CompletedTask);

        var runs = await store.ListRunsAsync("records@a").ToListAsync();
        Assert.Equal([PipelineRunStatus.Completed, PipelineRunStatus.Failed, PipelineRunStatus.Canceled], runs.Select(r => r.Status));
        Assert.All(runs, r => Assert.Equal("records", r.Pipeline));
        Assert.All(runs, r => Assert.Equal("a", r.Input));
        Assert.All(runs, r => Assert.NotNull(r.EndedAt));
        Assert.All(runs, r => Assert.True(r.EndedAt >= r.StartedAt));

        var (completed, failed, canceled) = (runs[0], runs[1], runs[2]);
        Assert.Equal(report.RunId, completed.RunId);
        Assert.Equal(1000, completed.Checkpoint);
        Assert.Equal(500, completed.StartCheckpoint);
        Assert.Equal(500, completed.Skipped);
        Assert.Equal(500, completed.Read);
        Assert.Equal(498, completed.Succeeded);
        Assert.Equal(2, completed.DeadLettered);
        Assert.Equal(deadLetters.Path, completed.DeadLetterLocation);
        Assert.Null(completed.Error);

        Assert.Equal(500, failed.Checkpoint);
        Assert.Equal("System.InvalidOperationException: no sink for 500", failed.Error);
        Assert.Null(failed.DeadLetterLocation);
        Assert.InRange(canceled.Checkpoint!.Value, 0, 100);
        Assert.Equal(canceled.Checkpoint, failed.StartCheckpoint);

        Assert.Equal(completed, await store.GetRunAsync(completed.RunId));
        Assert.Null(await store.GetRunAsync("20260101T000000000Z-00000000"));
        Assert.Equal("runId", (await Assert.ThrowsAsync<ArgumentException>(async () => await store.GetRunAsync("../x"))).ParamName);
        Assert.Equal(3, await store.ListRunsAsync().CountAsync());
        Assert.Empty(await store.ListRunsAsync("records@b").ToListAsync());

        var letters = await deadLetters.ReadAsync(new DeadLetterQuery { Instance = "records@a" }).ToListAsync();
        Assert.Equal([500L, 700L], letters.Select(d => d.Position!.Value));
        Assert.All(letters, d => Assert.Equal(completed.RunId, d.RunId));
    }

    [Fact]
    public async Task Checkpoints_are_listed_per_instance()
    {
        using var store = new FileCheckpointStore(_temp.Path);
        await store.CommitAsync("a@1", SluicePipeline.CheckpointPartition, 10);
        await store.CommitAsync("b", SluicePipeline.CheckpointPartition, 20);
        var all = await store.ListCheckpointsAsync().ToListAsync();
        Assert.Equal([("a@1", 10L), ("b", 20L)], all.Select(c => (c.Instance, c.Position)).Order());
        Assert.Equal("b", Assert.Single(await store.ListCheckpointsAsync("b").ToListAsync()).Instance);
    }
}
