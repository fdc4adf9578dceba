using System.Threading;
using System.Threading.Tasks;

namespace Sluice;

/// <summary>
/// A destination that commits a batch's effect atomically: its records, its dead letters and the advance of the
/// pipeline's checkpoint, all or nothing (for example one database transaction). A crash anywhere then leaves either
/// the whole batch done and checkpointed or none of it, so a restart neither loses nor repeats a record, even with a
/// sink that is not idempotent. Used through <see cref="SluicePipeline{T}.WithTransactionalSink(ITransactionalBatchSink{T})"/>.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public interface ITransactionalBatchSink<T>
{
    /// <summary>Loads the checkpoint that <see cref="CommitAsync(TransactionalBatch{T}, CancellationToken)"/> advances.</summary>
    /// <param name="pipeline">The pipeline instance's key (the pipeline name, and the input's identity when it has one).</param>
    /// <param name="partition">The checkpoint partition (<see cref="SluicePipeline.CheckpointPartition"/>).</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The committed position, or <see langword="null"/> when nothing was ever committed.</returns>
    ValueTask<long?> LoadCheckpointAsync(string pipeline, string partition, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <see cref="TransactionalBatch{T}.Records"/> and <see cref="TransactionalBatch{T}.DeadLetters"/> and moves the
    /// checkpoint from <see cref="TransactionalBatch{T}.CheckpointFrom"/> to <see cref="TransactionalBatch{T}.Checkpoint"/>,
    /// atomically. The pipeline may call it again with the same batch after a failure whose outcome it cannot know (a
    /// connection lost during the commit): when the stored checkpoint already is <see cref="TransactionalBatch{T}.Checkpoint"/>
    /// the earlier call did commit, and this one must change nothing and return normally. When it is neither position,
    /// another run moved it and the call must fail without changing anything.
    /// </summary>
    /// <param name="batch">What to commit.</param>
    /// <param name="cancellationToken">Cancels the commit before it starts.</param>
    /// <returns>A task that completes once the batch is durable.</returns>
    ValueTask CommitAsync(TransactionalBatch<T> batch, CancellationToken cancellationToken = default);
}
