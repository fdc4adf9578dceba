using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Sluice.Pipeline;
using Sluice.Utils;

namespace Sluice;

/// <summary>
/// Builds and runs a pipeline: records are read from the source into bounded channels (so a slow handler slows the
/// reader instead of filling memory), processed by parallel workers in batches, retried through a resilience
/// pipeline, dead-lettered when they fail for good, and checkpointed as a low-watermark.
/// </summary>
/// <remarks>
/// Every record read ends up either succeeded or dead-lettered. Without a dead-letter sink, a record that fails for
/// good fails the whole run with its exception, after in-flight work has drained and completed work is checkpointed.
/// Delivery is at least once: after a crash, records past the checkpoint are processed again, so handlers should
/// write through an <see cref="IIdempotentSink{T}"/> or another idempotent operation.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class SluicePipeline<T>
{
    private readonly IAsyncEnumerable<T>? _asyncSource;
    private readonly IEnumerable<T>? _syncSource;
    private string _name = SluicePipeline.DefaultName;
    private bool _named;
    private int _batchSize = SluicePipeline.DefaultBatchSize;
    private int _parallelism = 1;
    private Func<T, int>? _partitionHash;
    private Func<T, string?>? _partitionKeyText;
    private ResiliencePipeline? _resilience;
    private IDeadLetterSink? _deadLetters;
    private Func<T, string>? _payloadSerializer;
    private ICheckpointStore? _checkpoints;
    private Func<IReadOnlyList<T>, CancellationToken, ValueTask>? _completed;
    private ILogger _logger = NullLogger.Instance;
    private TimeProvider _timeProvider = TimeProvider.System;

    internal SluicePipeline(IAsyncEnumerable<T>? asyncSource, IEnumerable<T>? syncSource)
    {
        _asyncSource = asyncSource;
        _syncSource = syncSource;
    }

    /// <summary>Names the pipeline in checkpoints, dead letters, logs and metrics. Required with <see cref="WithCheckpoints(ICheckpointStore)"/>.</summary>
    /// <param name="name">The name; not empty.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    public SluicePipeline<T> WithName(string name)
    {
        _name = Guard.NotNullOrWhiteSpace(name);
        _named = true;
        return this;
    }

    /// <summary>
    /// Sets the most records a worker takes at once: it takes what is queued, up to this many, so a slow source
    /// yields smaller batches rather than waiting. The default is <see cref="SluicePipeline.DefaultBatchSize"/>.
    /// </summary>
    /// <param name="size">1 to <see cref="SluiceBatchingExtensions.MaxBatchSize"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is outside the allowed range.</exception>
    public SluicePipeline<T> WithBatchSize(int size)
    {
        _batchSize = Guard.InRange(size, 1, SluiceBatchingExtensions.MaxBatchSize);
        return this;
    }

    /// <summary>Sets how many workers process records at the same time. The default is 1 (source order).</summary>
    /// <param name="degreeOfParallelism">1 to <see cref="SluicePipeline.MaxParallelism"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="degreeOfParallelism"/> is outside the allowed range.</exception>
    public SluicePipeline<T> WithParallelism(int degreeOfParallelism)
    {
        _parallelism = Guard.InRange(degreeOfParallelism, 1, SluicePipeline.MaxParallelism);
        return this;
    }

    /// <summary>
    /// Routes records by key: records with the same key go to the same partition and are processed one at a time in
    /// source order; records with different keys may be processed in parallel (keys are hashed onto the workers).
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="keySelector">Extracts the key; it must be deterministic.</param>
    /// <param name="comparer">The key equality; <see langword="null"/> uses the default.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keySelector"/> is <see langword="null"/>.</exception>
    public SluicePipeline<T> PartitionBy<TKey>(Func<T, TKey> keySelector, IEqualityComparer<TKey>? comparer = null)
    {
        Guard.NotNull(keySelector);
        var equality = comparer ?? EqualityComparer<TKey>.Default;
        _partitionHash = record => keySelector(record) is { } key ? equality.GetHashCode(key) : 0;
        _partitionKeyText = record => keySelector(record)?.ToString();
        return this;
    }

    /// <summary>
    /// Runs every record (or batch) through <paramref name="pipeline"/>, e.g. <see cref="SluiceResilience.CreatePipeline(SluiceResilienceOptions?)"/>.
    /// Without it each record gets one attempt.
    /// </summary>
    /// <param name="pipeline">The resilience pipeline; its failures after retries are final.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public SluicePipeline<T> WithResilience(ResiliencePipeline pipeline)
    {
        _resilience = Guard.NotNull(pipeline);
        return this;
    }

    /// <summary>Sends records that fail for good to <paramref name="sink"/> instead of failing the run.</summary>
    /// <param name="sink">The durable dead-letter sink.</param>
    /// <param name="payloadSerializer">
    /// Turns a record into the JSON payload; <see langword="null"/> uses reflection-based System.Text.Json
    /// (pass one built from a source-generated <c>JsonTypeInfo</c> in trimmed or AOT apps).
    /// </param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sink"/> is <see langword="null"/>.</exception>
    public SluicePipeline<T> WithDeadLetters(IDeadLetterSink sink, Func<T, string>? payloadSerializer = null)
    {
        _deadLetters = Guard.NotNull(sink);
        _payloadSerializer = payloadSerializer;
        return this;
    }

    /// <summary>
    /// Commits the low-watermark position after batches and at the end, and resumes after it: records at positions
    /// below the stored checkpoint are skipped. Requires <see cref="WithName(string)"/>.
    /// </summary>
    /// <param name="store">The checkpoint store.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    public SluicePipeline<T> WithCheckpoints(ICheckpointStore store)
    {
        _checkpoints = Guard.NotNull(store);
        return this;
    }

    /// <summary>
    /// Tells the source which records are finished, for sources that acknowledge records themselves (a message broker's
    /// acks, for example): after each batch, <paramref name="callback"/> receives the batch's records that succeeded or
    /// were dead-lettered, once the dead-letter sink has stored the latter. A record that is not finished (the run stopped
    /// or failed first) is never passed. The callback runs on the worker that processed the batch, one call at a time per
    /// worker, and receives <see cref="CancellationToken.None"/> so that a stopping run still acknowledges finished work;
    /// an exception it throws fails the run.
    /// </summary>
    /// <remarks>Such a source keeps its own progress, so it cannot be combined with <see cref="WithCheckpoints(ICheckpointStore)"/>.</remarks>
    /// <param name="callback">Receives the finished records of each batch, in the order they were processed.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public SluicePipeline<T> OnRecordsCompleted(Func<IReadOnlyList<T>, CancellationToken, ValueTask> callback)
    {
        _completed = Guard.NotNull(callback);
        return this;
    }

    /// <summary>Logs retries, dead letters and the run's outcome to <paramref name="logger"/>.</summary>
    /// <param name="logger">The logger.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logger"/> is <see langword="null"/>.</exception>
    public SluicePipeline<T> WithLogger(ILogger logger)
    {
        _logger = Guard.NotNull(logger);
        return this;
    }

    /// <summary>
    /// Sets the clock that time-stamps the run's dead letters and measures its duration (<see cref="PipelineReport.Elapsed"/>
    /// and the batch-duration metric). The default is <see cref="TimeProvider.System"/>. Retry delays and timeouts follow the
    /// clock of the resilience pipeline (<see cref="SluiceResilienceOptions.TimeProvider"/>), so pass the same one to both.
    /// </summary>
    /// <param name="timeProvider">The clock; tests pass a fake one.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    public SluicePipeline<T> WithTimeProvider(TimeProvider timeProvider)
    {
        _timeProvider = Guard.NotNull(timeProvider);
        return this;
    }

    /// <summary>Runs the pipeline, calling <paramref name="handler"/> once per record (more on retries).</summary>
    /// <param name="handler">Processes one record; it must observe the token it receives.</param>
    /// <param name="cancellationToken">Stops the run promptly: in-flight work drains, completed work is checkpointed, then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns>The report of a run in which every record succeeded or was dead-lettered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">Checkpoints are configured but the pipeline has no name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <remarks>A lambda that would fit both overloads (one that ignores its first parameter) binds to this one.</remarks>
    [OverloadResolutionPriority(1)]
    public Task<PipelineReport> RunAsync(Func<T, CancellationToken, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(handler);
        return Start(handler, batchHandler: null, cancellationToken);
    }

    /// <summary>
    /// Runs the pipeline, calling <paramref name="handler"/> once per batch (more on retries). When a batch fails for
    /// good, its records are retried one by one so that only the records that really fail are dead-lettered.
    /// </summary>
    /// <param name="handler">Processes one batch, a new list it may keep; it must observe the token it receives.</param>
    /// <param name="cancellationToken">Stops the run promptly: in-flight work drains, completed work is checkpointed, then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns>The report of a run in which every record succeeded or was dead-lettered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">Checkpoints are configured but the pipeline has no name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public Task<PipelineReport> RunAsync(Func<IReadOnlyList<T>, CancellationToken, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(handler);
        return Start(recordHandler: null, handler, cancellationToken);
    }

    private Task<PipelineReport> Start(Func<T, CancellationToken, ValueTask>? recordHandler, Func<IReadOnlyList<T>, CancellationToken, ValueTask>? batchHandler, CancellationToken cancellationToken)
    {
        if (_checkpoints is not null && !_named)
        {
            throw new InvalidOperationException("A pipeline with checkpoints needs a stable name: call WithName before RunAsync.");
        }

        if (_checkpoints is not null && _completed is not null)
        {
            throw new InvalidOperationException(
                "A pipeline whose source acknowledges its own records (OnRecordsCompleted) keeps its progress there: checkpoints would skip records the source delivers again, so they cannot be combined.");
        }

        var definition = new PipelineDefinition<T>(
            _name, _batchSize, _parallelism, _asyncSource, _syncSource, _partitionHash, _partitionKeyText,
            _resilience, _deadLetters, _payloadSerializer, _checkpoints, _logger, _timeProvider, recordHandler, batchHandler)
        {
            Completed = _completed,
        };
        return new PipelineRun<T>(definition).RunAsync(cancellationToken);
    }
}

internal sealed record PipelineDefinition<T>(
    string Name,
    int BatchSize,
    int Parallelism,
    IAsyncEnumerable<T>? AsyncSource,
    IEnumerable<T>? SyncSource,
    Func<T, int>? PartitionHash,
    Func<T, string?>? PartitionKeyText,
    ResiliencePipeline? Resilience,
    IDeadLetterSink? DeadLetters,
    Func<T, string>? PayloadSerializer,
    ICheckpointStore? Checkpoints,
    ILogger Logger,
    TimeProvider TimeProvider,
    Func<T, CancellationToken, ValueTask>? RecordHandler,
    Func<IReadOnlyList<T>, CancellationToken, ValueTask>? BatchHandler)
{
    /// <summary>Gets the callback that receives each batch's finished records, if the source acknowledges them.</summary>
    public Func<IReadOnlyList<T>, CancellationToken, ValueTask>? Completed { get; init; }
}
