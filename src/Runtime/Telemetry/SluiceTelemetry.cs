using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Sluice.Telemetry;

/// <summary>
/// The runtime's <see cref="Meter"/> and <see cref="System.Diagnostics.ActivitySource"/>, both named
/// <see cref="SluiceInfo.TelemetryName"/>. Instruments are tagged with the pipeline name.
/// </summary>
internal static class SluiceTelemetry
{
    public const string PipelineTag = "sluice.pipeline";
    public const string PartitionTag = "sluice.partition";

    private static readonly string? s_version = typeof(SluiceTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource ActivitySource = new(SluiceInfo.TelemetryName, s_version);

    public static readonly Meter Meter = new(SluiceInfo.TelemetryName, s_version);

    public static readonly Counter<long> RecordsRead =
        Meter.CreateCounter<long>("sluice.records.read", "{record}", "Records read from the source and handed to the pipeline.");

    public static readonly Counter<long> RecordsSucceeded =
        Meter.CreateCounter<long>("sluice.records.succeeded", "{record}", "Records processed successfully.");

    public static readonly Counter<long> RecordsRetried =
        Meter.CreateCounter<long>("sluice.records.retried", "{attempt}", "Attempts beyond the first, for records or batches.");

    public static readonly Counter<long> RecordsDeadLettered =
        Meter.CreateCounter<long>("sluice.records.dead_lettered", "{record}", "Records written to the dead-letter sink.");

    public static readonly Histogram<double> BatchDuration =
        Meter.CreateHistogram<double>("sluice.batch.duration", "s", "Time to process one batch, dead letters included.");

    public static readonly Histogram<long> CheckpointLag =
        Meter.CreateHistogram<long>("sluice.checkpoint.lag", "{record}", "Records finished but not yet covered by a committed checkpoint, measured after each batch.");

    public static KeyValuePair<string, object?> Pipeline(string name) => new(PipelineTag, name);
}
