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
}
