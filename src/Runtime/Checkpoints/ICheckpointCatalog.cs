using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Sluice;

/// <summary>
/// A checkpoint store that operators can inspect and reset (the <c>sluice checkpoints</c> commands).
/// <see cref="FileCheckpointStore"/> implements it; a database store implements it over its checkpoint table.
/// </summary>
public interface ICheckpointCatalog : ICheckpointStore
{
    /// <summary>Lists the stored checkpoints.</summary>
    /// <param name="instance">Only those of this instance key (<see cref="PipelineInstance.Key"/>), or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The checkpoints, in no particular order.</returns>
    IAsyncEnumerable<StoredCheckpoint> ListCheckpointsAsync(string? instance = null, CancellationToken cancellationToken = default);

    /// <summary>Removes a checkpoint, so the next run of the instance starts from the first record.</summary>
    /// <param name="instance">The instance key.</param>
    /// <param name="partition">The partition name, usually <see cref="SluicePipeline.CheckpointPartition"/>.</param>
    /// <param name="cancellationToken">Cancels the reset before it starts.</param>
    /// <returns><see langword="true"/> when a checkpoint was removed, <see langword="false"/> when there was none.</returns>
    /// <exception cref="PipelineInstanceBusyException">A run holds the instance's lease: resetting under it would be overwritten.</exception>
    ValueTask<bool> ResetAsync(string instance, string partition, CancellationToken cancellationToken = default);
}
