using System.Globalization;
using Sluice;
using Spectre.Console;

namespace LegacyPipeline;

/// <summary>
/// Shows a running import's <see cref="PipelineProgress"/>: a Spectre.Console progress bar in a terminal, plain lines
/// when the output is not interactive (redirected to a file or a pipe, as in CI), where a redrawn bar would be noise.
/// </summary>
public static class ProgressDisplay
{
    /// <summary>
    /// Runs <paramref name="run"/> with a progress reporter and shows what it reports.
    /// </summary>
    /// <param name="total">How many records the input holds, the bar's end; <see langword="null"/> when unknown (the bar
    /// then shows activity without a percentage).</param>
    /// <param name="run">Starts the run with the reporter to pass to <c>WithProgress</c>.</param>
    public static async Task<PipelineReport> RunAsync(long? total, Func<IProgress<PipelineProgress>, Task<PipelineReport>> run)
    {
        var capabilities = AnsiConsole.Profile.Capabilities;
        if (!capabilities.Interactive || !capabilities.Ansi)
        {
            return await run(new PlainLines());
        }

        PipelineReport? report = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new ProgressBarColumn(), new PercentageColumn(), new TaskDescriptionColumn { Alignment = Justify.Left })
            .StartAsync(async context =>
            {
                var task = context.AddTask("starting", maxValue: total ?? 1);
                task.IsIndeterminate = total is null;
                report = await run(new Bar(task, total));
            });
        return report!;
    }

    /// <summary>The one-line summary both displays show.</summary>
    public static string Describe(PipelineProgress p)
        => string.Create(
            CultureInfo.InvariantCulture,
            $"read {p.Read}, done {p.Succeeded + p.DeadLettered} ({p.DeadLettered} dead-lettered), {p.Retried} retries, {p.RecordsPerSecond:F0} records/s{(p.IsFinal ? ", finished" : "")}");

    // Reports arrive on the pipeline's progress timer; ProgressTask is safe to update from any thread, and Spectre redraws
    // on its own refresh loop.
    private sealed class Bar(ProgressTask task, long? total) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value)
        {
            var done = value.Succeeded + value.DeadLettered;
            task.Description = Markup.Escape(Describe(value));
            if (total is null && value.IsFinal)
            {
                task.IsIndeterminate = false;
                task.MaxValue = Math.Max(done, 1);
            }

            task.Value = done;
            if (value.IsFinal)
            {
                task.StopTask();
            }
        }
    }

    // One line per report that moved, and the final one: what a log file or CI output can use.
    private sealed class PlainLines : IProgress<PipelineProgress>
    {
        private readonly object _gate = new();
        private long _lastShown = -1;

        public void Report(PipelineProgress value)
        {
            var done = value.Succeeded + value.DeadLettered;
            lock (_gate)
            {
                if (done == _lastShown && !value.IsFinal)
                {
                    return;
                }

                _lastShown = done;
                Console.WriteLine($"  progress: {Describe(value)}");
            }
        }
    }
}
