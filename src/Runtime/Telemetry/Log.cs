using System;
using Microsoft.Extensions.Logging;

namespace Sluice.Telemetry;

/// <summary>The runtime's log events; event ids are stable so alerts can key on them.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, EventName = "RecordRetrying", Level = LogLevel.Warning,
        Message = "Pipeline {Pipeline}: retrying position {Position} (attempt {Attempt}) after a transient failure")]
    public static partial void RecordRetrying(ILogger logger, Exception exception, string pipeline, long position, int attempt);

    [LoggerMessage(EventId = 1002, EventName = "RecordDeadLettered", Level = LogLevel.Error,
        Message = "Pipeline {Pipeline}: record at position {Position} dead-lettered after {Attempts} attempt(s)")]
    public static partial void RecordDeadLettered(ILogger logger, Exception exception, string pipeline, long position, int attempts);

    [LoggerMessage(EventId = 1003, EventName = "PipelineFailed", Level = LogLevel.Error,
        Message = "Pipeline {Pipeline} failed; completed work up to position {Checkpoint} is checkpointed")]
    public static partial void PipelineFailed(ILogger logger, Exception exception, string pipeline, long checkpoint);

    [LoggerMessage(EventId = 1004, EventName = "PipelineCompleted", Level = LogLevel.Information,
        Message = "Pipeline {Pipeline} completed: {Read} read, {Succeeded} succeeded, {DeadLettered} dead-lettered, {Retried} retries in {Elapsed}")]
    public static partial void PipelineCompleted(ILogger logger, string pipeline, long read, long succeeded, long deadLettered, long retried, TimeSpan elapsed);

    [LoggerMessage(EventId = 1005, EventName = "PipelineCanceled", Level = LogLevel.Warning,
        Message = "Pipeline {Pipeline} canceled; completed work up to position {Checkpoint} is checkpointed")]
    public static partial void PipelineCanceled(ILogger logger, string pipeline, long checkpoint);

    [LoggerMessage(EventId = 1006, EventName = "PipelineResuming", Level = LogLevel.Information,
        Message = "Pipeline {Pipeline} resuming after checkpoint {Checkpoint}")]
    public static partial void PipelineResuming(ILogger logger, string pipeline, long checkpoint);

    [LoggerMessage(EventId = 1007, EventName = "PipelineSkippedEverything", Level = LogLevel.Warning,
        Message = "Pipeline instance {Instance} processed nothing: its checkpoint already covered all {Skipped} records of the input. If this is a new input, give it its own identity with ForInput")]
    public static partial void PipelineSkippedEverything(ILogger logger, string instance, long skipped);

    [LoggerMessage(EventId = 1008, EventName = "PipelineRerunning", Level = LogLevel.Warning,
        Message = "Pipeline instance {Instance} completed in run {LastRun}; running it again from the start because AllowRerun was called")]
    public static partial void PipelineRerunning(ILogger logger, string instance, string lastRun);

    [LoggerMessage(EventId = 1009, EventName = "LeaseRenewalFailed", Level = LogLevel.Warning,
        Message = "Pipeline {Pipeline}: renewing the instance lease failed; it holds until {ExpiresAt} and is retried")]
    public static partial void LeaseRenewalFailed(ILogger logger, Exception exception, string pipeline, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1010, EventName = "RunRecordFailed", Level = LogLevel.Error,
        Message = "Pipeline {Pipeline}: the end of run {RunId} could not be recorded")]
    public static partial void RunRecordFailed(ILogger logger, Exception exception, string pipeline, string runId);

    [LoggerMessage(EventId = 1012, EventName = "LeaseReleaseFailed", Level = LogLevel.Warning,
        Message = "Pipeline {Pipeline}: giving the instance lease back failed; it frees itself when it expires at {ExpiresAt}")]
    public static partial void LeaseReleaseFailed(ILogger logger, Exception exception, string pipeline, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1011, EventName = "PipelineProgress", Level = LogLevel.Information,
        Message = "Pipeline instance {Instance}: {Read} read, {Succeeded} succeeded, {DeadLettered} dead-lettered, {Retried} retries, checkpoint {Checkpoint}, {RecordsPerSecond:F1} records/s after {Elapsed}")]
    public static partial void PipelineProgress(ILogger logger, string instance, long read, long succeeded, long deadLettered, long retried, long? checkpoint, double recordsPerSecond, TimeSpan elapsed);
}
