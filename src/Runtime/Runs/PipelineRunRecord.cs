using System;

namespace Sluice;

/// <summary>One execution of a pipeline instance, as the store keeps it: written when the run starts and when it ends.</summary>
public sealed record PipelineRunRecord
{
    /// <summary>Gets the run's unique id; it sorts by start time.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the pipeline name.</summary>
    public required string Pipeline { get; init; }

    /// <summary>Gets the input identity, or <see langword="null"/> when the pipeline has none.</summary>
    public string? Input { get; init; }

    /// <summary>Gets the instance key (<see cref="PipelineInstance.Key"/>).</summary>
    public required string Instance { get; init; }

    /// <summary>Gets the run's status.</summary>
    public PipelineRunStatus Status { get; init; }

    /// <summary>Gets who ran it: machine, process id and run id.</summary>
    public string? Holder { get; init; }

    /// <summary>Gets when the run started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets when the run ended, or <see langword="null"/> while it runs (or when it crashed).</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Gets the checkpoint the run started from.</summary>
    public long StartCheckpoint { get; init; }

    /// <summary>Gets the last committed checkpoint, or <see langword="null"/> before the run ends.</summary>
    public long? Checkpoint { get; init; }

    /// <summary>Gets how many records the run read (after the checkpoint).</summary>
    public long Read { get; init; }

    /// <summary>Gets how many records were skipped because the checkpoint covered them.</summary>
    public long Skipped { get; init; }

    /// <summary>Gets how many records succeeded.</summary>
    public long Succeeded { get; init; }

    /// <summary>Gets how many records were dead-lettered.</summary>
    public long DeadLettered { get; init; }

    /// <summary>Gets how many attempts beyond the first were made.</summary>
    public long Retried { get; init; }

    /// <summary>Gets the error type and message of a failed run.</summary>
    public string? Error { get; init; }

    /// <summary>Gets where the run's dead letters are (<see cref="IDeadLetterStore.Location"/>), when the sink says.</summary>
    public string? DeadLetterLocation { get; init; }
}
