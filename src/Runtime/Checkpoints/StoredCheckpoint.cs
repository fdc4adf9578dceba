using System;

namespace Sluice;

/// <summary>A committed checkpoint, as <see cref="ICheckpointCatalog.ListCheckpointsAsync(string?, System.Threading.CancellationToken)"/> lists it.</summary>
public sealed record StoredCheckpoint
{
    /// <summary>Gets the instance key (the pipeline name for a pipeline without an input identity).</summary>
    public required string Instance { get; init; }

    /// <summary>Gets the partition name.</summary>
    public required string Partition { get; init; }

    /// <summary>Gets the low-watermark position.</summary>
    public long Position { get; init; }

    /// <summary>Gets when it was committed.</summary>
    public DateTimeOffset CommittedAt { get; init; }
}
