using System.Collections.Concurrent;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Pipeline;

public class ProgressTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private sealed class Recorder : IProgress<PipelineProgress>
    {
        public ConcurrentQueue<PipelineProgress> Reports { get; } = new();

        public void Report(PipelineProgress value) => Reports.Enqueue(value);
    }

    [Fact]
    public async Task A_long_run_reports_growing_progress_periodically_and_a_final_report_matching_the_result()
    {
        using var store = new FileCheckpointStore(_temp.Path);
        var recorder = new Recorder();
        var logger = new CapturingLogger();
        var report = await SluicePipeline.From(Enumerable.Range(0, 60))
            .WithName("progress")
            .ForInput("day-1")
            .WithBatchSize(5)
            .WithCheckpoints(store)
            .WithDeadLetters(new RecordingDeadLetterSink())
            .WithLogger(logger)
            .WithProgress(recorder, TimeSpan.FromMilliseconds(100))
            .RunAsync(async (id, token) =>
            {
                await Task.Delay(20, token);
                if (id % 20 == 3)
                {
                    throw new FormatException("bad");
                }
            });

        var reports = recorder.Reports.ToList();
        Assert.True(reports.Count >= 3, $"{reports.Count} reports");
        var final = reports[^1];
        Assert.True(final.IsFinal);
        Assert.Single(reports, r => r.IsFinal);
        Assert.Equal((report.Read, report.Succeeded, report.DeadLettered, report.Checkpoint), (final.Read, final.Succeeded, final.DeadLettered, final.Checkpoint));
        Assert.Equal((57L, 3L, 60L), (final.Succeeded, final.DeadLettered, final.Checkpoint!.Value));
        Assert.Equal("progress@day-1", final.Instance);
        Assert.Equal(report.RunId, final.RunId);
        Assert.True(final.RecordsPerSecond > 0);

        // Periodic reports come before the end and never go backwards.
        var periodic = reports.Where(r => !r.IsFinal).ToList();
        Assert.Contains(periodic, r => r.Succeeded + r.DeadLettered < 60);
        Assert.Equal(periodic.Select(r => r.Succeeded + r.DeadLettered).Order(), periodic.Select(r => r.Succeeded + r.DeadLettered));

        var logged = logger.Entries.Where(e => e.Event.Name == "PipelineProgress").ToList();
        Assert.NotEmpty(logged);
        Assert.All(logged, e => Assert.StartsWith("Pipeline instance progress@day-1: ", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Progress_arguments_are_checked()
    {
        var pipeline = SluicePipeline.From(new[] { 1 });
        Assert.Equal("progress", Assert.Throws<ArgumentNullException>(() => pipeline.WithProgress(null!)).ParamName);
        Assert.Equal("interval", Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.WithProgress(new Recorder(), TimeSpan.FromMilliseconds(10))).ParamName);
    }
}
