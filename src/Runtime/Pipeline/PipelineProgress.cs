using System;

namespace Sluice;

/// <summary>
/// Where a running pipeline stands, reported to <see cref="SluicePipeline{T}.WithProgress(IProgress{PipelineProgress}, TimeSpan?)"/>
/// periodically and once at the end, and logged as the <c>PipelineProgress</c> event.
/// </summary>
public sealed record PipelineProgress
{
    /// <summary>Gets the pipeline name.</summary>
    public required string PipelineName { get; init; }

    /// <summary>Gets the instance key (<see cref="PipelineInstance.Key"/>).</summary>
    public required string Instance { get; init; }

    /// <summary>Gets the run id, when the store keeps run records.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets how many records were read so far (after the checkpoint).</summary>
    public long Read { get; init; }

    /// <summary>Gets how many records the checkpoint let the run skip.</summary>
    public long Skipped { get; init; }

    /// <summary>Gets how many records succeeded so far.</summary>
    public long Succeeded { get; init; }

    /// <summary>Gets how many records were dead-lettered so far.</summary>
    public long DeadLettered { get; init; }

    /// <summary>Gets how many attempts beyond the first were made so far.</summary>
    public long Retried { get; init; }

    /// <summary>Gets the last committed checkpoint, or <see langword="null"/> without a checkpoint store.</summary>
    public long? Checkpoint { get; init; }

    /// <summary>Gets the time since the run started.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets the records finished (succeeded or dead-lettered) per second since the run started.</summary>
    public double RecordsPerSecond { get; init; }

    /// <summary>Gets whether this is the last report of the run (it finished, failed or was canceled).</summary>
    public bool IsFinal { get; init; }
}
