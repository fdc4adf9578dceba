using System.Collections.Generic;

namespace Sluice;

/// <summary>
/// What an <see cref="ITransactionalBatchSink{T}"/> commits at once: the records of a run of consecutive source
/// positions that succeeded, the ones among them that were dead-lettered, and the checkpoint advance past all of them.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class TransactionalBatch<T>
{
    /// <summary>
    /// Gets the pipeline instance's key: the pipeline name, followed by the input's identity when the pipeline was given
    /// one with <c>ForInput</c> or <c>ForInputFile</c>, so that each input keeps a checkpoint of its own.
    /// </summary>
    public required string Pipeline { get; init; }

    /// <summary>Gets the checkpoint partition (<see cref="SluicePipeline.CheckpointPartition"/>).</summary>
    public required string Partition { get; init; }

    /// <summary>Gets the records that succeeded, in source order; possibly empty.</summary>
    public required IReadOnlyList<T> Records { get; init; }

    /// <summary>Gets the positions of <see cref="Records"/>, in the same order.</summary>
    public required IReadOnlyList<long> Positions { get; init; }

    /// <summary>Gets the dead letters of the records that failed for good, in source order; possibly empty.</summary>
    public required IReadOnlyList<DeadLetter> DeadLetters { get; init; }

    /// <summary>Gets the checkpoint the batch starts from: the position of its first record.</summary>
    public required long CheckpointFrom { get; init; }

    /// <summary>Gets the checkpoint to commit: one past the batch's last record; every position in between is in the batch.</summary>
    public required long Checkpoint { get; init; }
}
