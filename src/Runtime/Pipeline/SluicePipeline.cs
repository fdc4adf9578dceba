using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Sluice.Contract;
using Sluice.Utils;

namespace Sluice;

/// <summary>
/// Entry point of the pipeline builder: <c>SluicePipeline.From(source).WithParallelism(4).PartitionBy(r =&gt; r.CustomerId)
/// .WithResilience(pipeline).WithDeadLetters(sink).WithCheckpoints(store).RunAsync(handler)</c>.
/// </summary>
public static class SluicePipeline
{
    /// <summary>The name used when <see cref="SluicePipeline{T}.WithName(string)"/> is not called.</summary>
    public const string DefaultName = "sluice";

    /// <summary>The batch size used when <see cref="SluicePipeline{T}.WithBatchSize(int)"/> is not called.</summary>
    public const int DefaultBatchSize = 100;

    /// <summary>
    /// How long an instance lease lasts when <see cref="SluicePipeline{T}.WithLease(System.TimeSpan, System.TimeSpan)"/> is not
    /// called: 1 minute, renewed every 20 seconds, so a crashed run blocks its instance for at most a minute.
    /// </summary>
    public static readonly System.TimeSpan DefaultLeaseDuration = System.TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often a running pipeline reports progress (<see cref="SluicePipeline{T}.WithProgress(System.IProgress{PipelineProgress}, System.TimeSpan?)"/>)
    /// and logs the <c>PipelineProgress</c> event when no other interval is given: every 10 seconds.
    /// </summary>
    public static readonly System.TimeSpan DefaultProgressInterval = System.TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many finished records may wait for a checkpoint commit when <see cref="SluicePipeline{T}.WithCheckpointPacing(int, System.TimeSpan)"/>
    /// is not called: 10,000. A commit is made once this many records have finished since the last one or once
    /// <see cref="DefaultCheckpointInterval"/> has passed since it, and always at the end of a run (completed, canceled
    /// or failed). After a crash a run re-processes at most the records finished since the last commit: with the
    /// defaults, about 10,000 records or one second of work, plus the batches that were in flight.
    /// </summary>
    public const int DefaultCheckpointRecords = 10_000;

    /// <summary>
    /// How long finished records may wait for a checkpoint commit when <see cref="SluicePipeline{T}.WithCheckpointPacing(int, System.TimeSpan)"/>
    /// is not called: 1 second (see <see cref="DefaultCheckpointRecords"/>).
    /// </summary>
    public static readonly System.TimeSpan DefaultCheckpointInterval = System.TimeSpan.FromSeconds(1);

    /// <summary>The largest accepted degree of parallelism.</summary>
    public const int MaxParallelism = RuntimeContract.Pipelines.MaxParallelism;

    /// <summary>
    /// The partition name under which a pipeline commits its checkpoint. Positions are positions in the whole source,
    /// so one low-watermark stays correct when parallelism or partitioning change between runs.
    /// </summary>
    public const string CheckpointPartition = "source";

    /// <summary>Starts a pipeline over a synchronous source, enumerated once on a background task.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="source">The records; their order defines their positions for checkpoints.</param>
    /// <returns>A builder.</returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static SluicePipeline<T> From<T>(IEnumerable<T> source)
    {
        Guard.NotNull(source);
        return new SluicePipeline<T>(asyncSource: null, source);
    }

    /// <summary>Starts a pipeline over an asynchronous source; it takes precedence for sources that are both.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="source">The records; their order defines their positions for checkpoints.</param>
    /// <returns>A builder.</returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    [OverloadResolutionPriority(1)]
    public static SluicePipeline<T> From<T>(IAsyncEnumerable<T> source)
    {
        Guard.NotNull(source);
        return new SluicePipeline<T>(source, syncSource: null);
    }
}
