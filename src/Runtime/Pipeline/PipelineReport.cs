using System;
using System.Collections.Generic;

namespace Sluice;

/// <summary>What a pipeline run did. On a completed run, <see cref="Read"/> = <see cref="Succeeded"/> + <see cref="DeadLettered"/>.</summary>
public sealed record PipelineReport
{
    /// <summary>Gets the pipeline name.</summary>
    public required string PipelineName { get; init; }

    /// <summary>Gets the instance key (<see cref="PipelineInstance.Key"/>): the pipeline name, or <c>pipeline@input</c> with an input identity.</summary>
    public string? Instance { get; init; }

    /// <summary>Gets the run's id in the store's run records, or <see langword="null"/> when the checkpoint store keeps none.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets how many records were read from the source and processed in this run.</summary>
    public long Read { get; init; }

    /// <summary>Gets how many records were skipped because an earlier run's checkpoint already covered them.</summary>
    public long Skipped { get; init; }

    /// <summary>Gets how many records were processed successfully.</summary>
    public long Succeeded { get; init; }

    /// <summary>Gets how many records were written to the dead-letter sink.</summary>
    public long DeadLettered { get; init; }

    /// <summary>Gets how many attempts were made beyond the first, over all records (or batches).</summary>
    public long Retried { get; init; }

    /// <summary>Gets how long the run took.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets the last committed checkpoint position, or <see langword="null"/> without a checkpoint store.</summary>
    public long? Checkpoint { get; init; }

    /// <summary>Gets the same counts for each partition (worker lane), by partition index.</summary>
    public required IReadOnlyList<PartitionReport> Partitions { get; init; }
}

/// <summary>What one partition of a pipeline run did.</summary>
public sealed record PartitionReport
{
    /// <summary>Gets the 0-based partition index.</summary>
    public int Partition { get; init; }

    /// <summary>Gets how many records the partition received.</summary>
    public long Read { get; init; }

    /// <summary>Gets how many of them succeeded.</summary>
    public long Succeeded { get; init; }

    /// <summary>Gets how many of them were dead-lettered.</summary>
    public long DeadLettered { get; init; }

    /// <summary>Gets how many attempts beyond the first the partition made.</summary>
    public long Retried { get; init; }
}
