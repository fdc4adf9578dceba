using System.Collections.Concurrent;
using System.Globalization;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Runs;

public class RunIdentityTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static async Task WriteExportAsync(string path, int firstId, int count, DateTime writtenAt)
    {
        await File.WriteAllLinesAsync(path, Enumerable.Range(firstId, count).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        File.SetLastWriteTimeUtc(path, writtenAt);
    }

    private static Task<PipelineReport> ImportAsync(string path, FileCheckpointStore store, ConcurrentBag<int> imported, bool allowRerun = false)
    {
        var pipeline = SluicePipeline.From(File.ReadLines(path).Select(line => int.Parse(line, CultureInfo.InvariantCulture)))
            .WithName("orders-import")
            .ForInputFile(path)
            .WithCheckpoints(store);
        if (allowRerun)
        {
            pipeline.AllowRerun();
        }

        return pipeline.RunAsync((id, _) => { imported.Add(id); return ValueTask.CompletedTask; });
    }

    [Fact]
    public async Task Day_two_a_new_export_under_the_same_name_is_processed_in_full_and_a_rerun_of_a_completed_day_is_refused()
    {
        var export = _temp.File("orders.csv");
        using var store = new FileCheckpointStore(_temp.File("store"));

        await WriteExportAsync(export, 1, 100, new DateTime(2026, 11, 29, 2, 0, 0, DateTimeKind.Utc));
        var day1 = new ConcurrentBag<int>();
        var first = await ImportAsync(export, store, day1);
        Assert.Equal(100, first.Succeeded);
        Assert.Equal(Enumerable.Range(1, 100), day1.Order());

        // Day 2: a brand-new export under the same name. Every record is processed; nothing is skipped.
        await WriteExportAsync(export, 1001, 120, new DateTime(2026, 11, 30, 2, 0, 0, DateTimeKind.Utc));
        var day2 = new ConcurrentBag<int>();
        var second = await ImportAsync(export, store, day2);
        Assert.Equal(0, second.Skipped);
        Assert.Equal(120, second.Succeeded);
        Assert.Equal(Enumerable.Range(1001, 120), day2.Order());
        Assert.NotEqual(first.Instance, second.Instance);
        Assert.StartsWith("orders-import@orders.csv:", second.Instance, StringComparison.Ordinal);

        // The same day again: refused loudly, naming the instance and how to force a fresh run; nothing is processed.
        var again = new ConcurrentBag<int>();
        var refused = await Assert.ThrowsAsync<PipelineInstanceCompletedException>(() => ImportAsync(export, store, again));
        Assert.Empty(again);
        Assert.Equal(second.Instance, refused.Instance);
        Assert.Contains($"'{second.Instance}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("AllowRerun()", refused.Message, StringComparison.Ordinal);
        Assert.Contains("sluice checkpoints reset", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--store <folder> or --postgres <connection>", refused.Message, StringComparison.Ordinal);
        Assert.Equal(second.RunId, refused.LastRun!.RunId);

        // Forcing a fresh run processes the whole input again.
        var forced = await ImportAsync(export, store, again, allowRerun: true);
        Assert.Equal(120, forced.Succeeded);
        Assert.Equal(0, forced.Skipped);
        Assert.Equal(Enumerable.Range(1001, 120), again.Order());
    }

    [Fact]
    public async Task A_completed_pipeline_without_an_input_identity_is_refused_and_a_reset_checkpoint_runs_it_from_the_start()
    {
        using var store = new FileCheckpointStore(_temp.Path);
        var handled = 0;
        Task<PipelineReport> RunAsync() => SluicePipeline.From(Enumerable.Range(0, 50))
            .WithName("nightly")
            .WithCheckpoints(store)
            .RunAsync((_, _) => { Interlocked.Increment(ref handled); return ValueTask.CompletedTask; });

        await RunAsync();
        Assert.Equal(50, handled);
        var refused = await Assert.ThrowsAsync<PipelineInstanceCompletedException>(RunAsync);
        Assert.Equal("nightly", refused.Instance);
        Assert.Equal(50, handled);

        Assert.True(await store.ResetAsync("nightly", SluicePipeline.CheckpointPartition));
        Assert.False(await store.ResetAsync("nightly", SluicePipeline.CheckpointPartition));
        var report = await RunAsync();
        Assert.Equal(0, report.Skipped);
        Assert.Equal(100, handled);
    }

    [Fact]
    public async Task Inputs_have_their_own_checkpoints_and_dead_letters()
    {
        using var store = new FileCheckpointStore(_temp.Path);
        var sink = new RecordingDeadLetterSink();
        foreach (var input in new[] { "2026-11-29", "2026-11-30" })
        {
            await SluicePipeline.From(Enumerable.Range(0, 10))
                .WithName("daily")
                .ForInput(input)
                .WithDeadLetters(sink)
                .WithCheckpoints(store)
                .RunAsync((id, _) => id == 3 ? throw new FormatException("bad row") : ValueTask.CompletedTask);
        }

        Assert.Equal(10, await store.LoadAsync("daily@2026-11-29", SluicePipeline.CheckpointPartition));
        Assert.Equal(10, await store.LoadAsync("daily@2026-11-30", SluicePipeline.CheckpointPartition));
        Assert.Null(await store.LoadAsync("daily", SluicePipeline.CheckpointPartition));
        Assert.Equal(["daily@2026-11-29", "daily@2026-11-30"], sink.Letters.Select(d => d.Instance));
        Assert.Equal(2, sink.Letters.Select(d => d.Id).Distinct().Count());
        Assert.All(sink.Letters, d => Assert.NotNull(d.RunId));
    }

    [Fact]
    public async Task Input_identity_requires_a_name_and_rejects_bad_arguments()
    {
        var pipeline = SluicePipeline.From(new[] { 1 });
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => pipeline.ForInput(" ")).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => pipeline.ForInputFile(null!)).ParamName);
        Assert.Throws<FileNotFoundException>(() => pipeline.ForInputFile(_temp.File("missing.csv")));
        Assert.Equal("duration", Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.WithLease(TimeSpan.Zero)).ParamName);
        var unnamed = await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ForInput("x").RunAsync((int _, CancellationToken _) => ValueTask.CompletedTask));
        Assert.Contains("WithName", unnamed.Message, StringComparison.Ordinal);
    }
}
