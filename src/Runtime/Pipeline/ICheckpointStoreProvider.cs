namespace Sluice;

/// <summary>
/// A transactional sink (<see cref="ITransactionalBatchSink{T}"/>) whose checkpoints are kept by a checkpoint store the
/// pipeline may use directly. When that store is also an <see cref="IPipelineRunStore"/> or an
/// <see cref="IPipelineLeaseStore"/>, a pipeline with the sink records its runs, refuses to run a completed instance and
/// takes the instance's lease through it, exactly as a pipeline given the store with
/// <c>WithCheckpoints</c> does; the sink still commits every checkpoint advance itself.
/// </summary>
public interface ICheckpointStoreProvider
{
    /// <summary>
    /// Gets the store whose <see cref="ICheckpointStore.LoadAsync(string, string, System.Threading.CancellationToken)"/> reads
    /// the checkpoint the sink commits. The pipeline calls it directly, outside its resilience pipeline (to read the
    /// checkpoint, to reset it to 0 for <c>AllowRerun</c>, and for run records and the lease), so it should ride out a
    /// dropped connection itself.
    /// </summary>
    ICheckpointStore CheckpointStore { get; }
}
