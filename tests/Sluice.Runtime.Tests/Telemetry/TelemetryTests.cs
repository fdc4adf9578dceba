using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Telemetry;

public class TelemetryTests
{
    private static async Task<PipelineReport> RunFaultyPipelineAsync(string name, ILogger? logger = null, ICheckpointStore? store = null)
    {
        var attempts = new ConcurrentDictionary<int, int>();
        var builder = SluicePipeline.From(Enumerable.Range(0, 20))
            .WithName(name)
            .WithBatchSize(5)
            .WithResilience(Fast.Resilience(maxRetryAttempts: 2))
            .WithDeadLetters(new RecordingDeadLetterSink());
        if (logger is not null)
        {
            builder.WithLogger(logger);
        }

        if (store is not null)
        {
            builder.WithCheckpoints(store);
        }

        return await builder.RunAsync((record, _) =>
        {
            var attempt = attempts.AddOrUpdate(record, 1, (_, n) => n + 1);
            if (record == 4)
            {
                throw new FormatException("poison");
            }

            return record == 7 && attempt == 1 ? throw new TimeoutException("flaky") : ValueTask.CompletedTask;
        });
    }

    [Fact]
    public async Task Counters_and_histograms_are_published_on_the_Sluice_meter_tagged_with_the_pipeline()
    {
        var name = "metrics-" + Guid.NewGuid().ToString("N");
        var totals = new ConcurrentDictionary<string, double>();
        var histogramCounts = new ConcurrentDictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SluiceInfo.TelemetryName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };

        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "sluice.pipeline" && (string?)tag.Value == name)
                {
                    totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value);
                    histogramCounts.AddOrUpdate(instrument.Name, 1, (_, n) => n + 1);
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();

        using var temp = new TempDirectory();
        using var store = new FileCheckpointStore(temp.Path);
        await RunFaultyPipelineAsync(name, store: store);

        Assert.Equal(20, totals["sluice.records.read"]);
        Assert.Equal(19, totals["sluice.records.succeeded"]);
        Assert.Equal(1, totals["sluice.records.dead_lettered"]);
        Assert.Equal(1, totals["sluice.records.retried"]);
        Assert.True(histogramCounts["sluice.batch.duration"] >= 4);
        Assert.True(histogramCounts.ContainsKey("sluice.checkpoint.lag"));
    }

    [Fact]
    public async Task Runs_and_batches_are_traced_on_the_Sluice_activity_source()
    {
        var name = "traces-" + Guid.NewGuid().ToString("N");
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SluiceInfo.TelemetryName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem("sluice.pipeline") == name)
                {
                    activities.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await RunFaultyPipelineAsync(name);

        Assert.Single(activities, a => a.OperationName == "sluice.pipeline.run");
        Assert.Contains(activities, a => a.OperationName == "sluice.batch");
    }

    [Fact]
    public async Task Retries_and_dead_letters_are_logged_with_stable_event_ids()
    {
        var logger = new CapturingLogger();
        await RunFaultyPipelineAsync("logged", logger);

        var retry = Assert.Single(logger.Entries, e => e.Event.Id == 1001);
        Assert.IsType<TimeoutException>(retry.Exception);
        Assert.Contains("position 7", retry.Message, StringComparison.Ordinal);
        var deadLetter = Assert.Single(logger.Entries, e => e.Event.Id == 1002);
        Assert.Equal(LogLevel.Error, deadLetter.Level);
        Assert.IsType<FormatException>(deadLetter.Exception);
        Assert.Single(logger.Entries, e => e.Event.Id == 1004);
    }
}
