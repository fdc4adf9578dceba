using System;

namespace Sluice.Checkpoints;

/// <summary>The JSON content of one checkpoint file; it names its owner so a misplaced file is detected.</summary>
internal sealed class CheckpointFile
{
    public string? Pipeline { get; set; }

    public string? Partition { get; set; }

    public long Position { get; set; }

    public DateTimeOffset CommittedAt { get; set; }
}
