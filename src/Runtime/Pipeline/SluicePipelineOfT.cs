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
    private ITransactionalBatchSink<T>? _transactional;
    private Func<IReadOnlyList<T>, CancellationToken, ValueTask>? _completed;
    private ILogger _logger = NullLogger.Instance;
    private TimeProvider _timeProvider = TimeProvider.System;
    private string? _input;
    private bool _allowRerun;
    private TimeSpan _leaseDuration = SluicePipeline.DefaultLeaseDuration;
    private TimeSpan _leaseWait;
    private IProgress<PipelineProgress>? _progress;
    private TimeSpan _progressInterval = SluicePipeline.DefaultProgressInterval;
    private int _checkpointRecords = SluicePipeline.DefaultCheckpointRecords;
    private TimeSpan _checkpointInterval = SluicePipeline.DefaultCheckpointInterval;

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
    /// Names the input this run works on (for example <c>"orders-2026-11-30.csv"</c> or a batch id): the run then belongs to the
    /// instance <c>name@input</c>, whose checkpoints, dead letters and run records are its own. A new input starts from the
    /// first record; the same input after a crash resumes after its checkpoint; the same input after a completed run is refused
    /// (see <see cref="AllowRerun"/>). Without it the instance is the pipeline name alone.
    /// </summary>
    /// <param name="input">The input's identity; not empty.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> is empty or white space.</exception>
    public SluicePipeline<T> ForInput(string input)
    {
        _input = Guard.NotNullOrWhiteSpace(input);
        return this;
    }

    /// <summary>
    /// Names a file as the input: its identity is its name, size and last write time (<see cref="PipelineInstance.FileIdentity(string)"/>),
    /// so tomorrow's export under the same name is a new instance.
    /// </summary>
    /// <param name="path">The input file; it must exist.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="System.IO.FileNotFoundException">The file does not exist.</exception>
    public SluicePipeline<T> ForInputFile(string path)
    {
        _input = PipelineInstance.FileIdentity(path);
        return this;
    }

    /// <summary>
    /// Runs the instance again from its first record even if its last run completed, instead of refusing with
    /// <see cref="PipelineInstanceCompletedException"/>. The checkpoint is reset to 0 before any record is read.
    /// </summary>
    /// <returns>This builder.</returns>
    public SluicePipeline<T> AllowRerun()
    {
        _allowRerun = true;
        return this;
    }

    /// <summary>
    /// Sets how long the instance lease lasts (it is renewed every third of it while the run is alive, and a crashed run's
    /// lease is free once it expires) and how long to wait for another run's lease before failing. A run whose lease
    /// store has not answered a renewal by the time the lease ends fails with <see cref="PipelineInstanceBusyException"/>
    /// rather than go on without it, so the store must answer within half the duration. Applies when the
    /// checkpoint store is an <see cref="IPipelineLeaseStore"/>, as <see cref="FileCheckpointStore"/> is, or the store a
    /// transactional sink lends (<see cref="ICheckpointStoreProvider"/>) is one.
    /// </summary>
    /// <param name="duration">1 second to 1 day; the default is <see cref="SluicePipeline.DefaultLeaseDuration"/>.</param>
    /// <param name="waitForHolder">How long to wait for a busy instance; the default, zero, fails at once with <see cref="PipelineInstanceBusyException"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A time is outside its range.</exception>
    public SluicePipeline<T> WithLease(TimeSpan duration, TimeSpan waitForHolder = default)
    {
        _leaseDuration = Guard.InRange(duration, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        _leaseWait = Guard.InRange(waitForHolder, TimeSpan.Zero, TimeSpan.FromDays(1));
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
    /// <param name="degreeOfParallelism">1 to <see cref="SluicePipeline.MaxParallelism"/>; only 1 with <see cref="WithTransactionalSink(ITransactionalBatchSink{T})"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="degreeOfParallelism"/> is outside the allowed range.</exception>
    /// <exception cref="ArgumentException"><paramref name="degreeOfParallelism"/> is above 1 and the pipeline has a transactional sink.</exception>
    public SluicePipeline<T> WithParallelism(int degreeOfParallelism)
    {
        Guard.InRange(degreeOfParallelism, 1, SluicePipeline.MaxParallelism);
        if (degreeOfParallelism != 1 && _transactional is not null)
        {
            throw new ArgumentException(TransactionalParallelism, nameof(degreeOfParallelism));
        }

        _parallelism = degreeOfParallelism;
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
    /// Commits the low-watermark position (the first record not yet finished) as batches finish, paced by
    /// <see cref="WithCheckpointPacing(int, TimeSpan)"/>, and at the end, and resumes after it: records at positions
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
    /// Sets how often the checkpoint store of <see cref="WithCheckpoints(ICheckpointStore)"/> is written: when a batch
    /// finishes and at least <paramref name="records"/> records have finished since the last commit or
    /// <paramref name="interval"/> has passed since it; every <paramref name="interval"/> on a timer if finished work is
    /// waiting (a slow source or a long batch); and always at the end of a run, whether it completed, was canceled or
    /// failed (before the failure is reported). A commit never goes past finished work. Delivery stays at
    /// least once: after a crash the records after the last commit run again, which with this pacing is at most about
    /// <paramref name="records"/> records (or <paramref name="interval"/> worth of them) plus the batches in flight.
    /// The defaults are <see cref="SluicePipeline.DefaultCheckpointRecords"/> and <see cref="SluicePipeline.DefaultCheckpointInterval"/>;
    /// <c>WithCheckpointPacing(1, TimeSpan.Zero)</c> commits after every batch. A transactional sink
    /// (<see cref="WithTransactionalSink(ITransactionalBatchSink{T})"/>) always commits every batch and ignores this.
    /// </summary>
    /// <param name="records">1 to <see cref="int.MaxValue"/> finished records.</param>
    /// <param name="interval">Zero to 1 hour.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="records"/> or <paramref name="interval"/> is outside its range.</exception>
    public SluicePipeline<T> WithCheckpointPacing(int records, TimeSpan interval)
    {
        _checkpointRecords = Guard.InRange(records, 1, int.MaxValue);
        _checkpointInterval = Guard.InRange(interval, TimeSpan.Zero, TimeSpan.FromHours(1));
        return this;
    }

    /// <summary>
    /// Makes each batch's effect atomic: the records the handler accepted, the batch's dead letters and the checkpoint
    /// advance are committed together by <paramref name="sink"/> (for example in one database transaction), so a crash
    /// neither loses nor repeats a record even though the sink is not idempotent. The handler runs first, once per
    /// record or batch, to check or prepare it; a record it fails for good is dead-lettered in the same commit. A commit
    /// is retried through <see cref="WithResilience(ResiliencePipeline)"/>; a batch whose commit fails for good with a
    /// failure that is not transient is committed record by record, and a record that cannot be committed is
    /// dead-lettered in its own commit. The sink takes the place of <see cref="WithCheckpoints(ICheckpointStore)"/> and
    /// <see cref="WithDeadLetters(IDeadLetterSink, Func{T, string}?)"/>, needs <see cref="WithName(string)"/>, and runs
    /// with a parallelism of 1: commits advance one low-watermark in source order. Loading its checkpoint at the start is
    /// retried through the resilience pipeline too. A sink that is an <see cref="ICheckpointStoreProvider"/> lends its
    /// checkpoint store for the run records and the lease, as <see cref="WithCheckpoints(ICheckpointStore)"/> would.
    /// </summary>
    /// <param name="sink">The transactional sink.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sink"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><see cref="WithParallelism(int)"/> set a parallelism above 1.</exception>
    public SluicePipeline<T> WithTransactionalSink(ITransactionalBatchSink<T> sink)
    {
        Guard.NotNull(sink);
        if (_parallelism != 1)
        {
            throw new ArgumentException(TransactionalParallelism, nameof(sink));
        }

        _transactional = sink;
        return this;
    }

    // Refused when the pipeline is built: one worker per batch could commit a batch while an earlier one is still
    // undone, and the checkpoint is one low-watermark that only moves over contiguous positions.
    private const string TransactionalParallelism =
        "A transactional sink commits one checkpoint in source order and runs with a parallelism of 1: remove WithParallelism, "
        + "or, to process in parallel, write through an idempotent sink (IIdempotentSink) with WithCheckpoints and WithDeadLetters instead.";

    /// <summary>
    /// Tells the source which records are finished, for sources that acknowledge records themselves (a message broker's
    /// acks, for example): after each batch, <paramref name="callback"/> receives the batch's records that succeeded or
    /// were dead-lettered, once the dead-letter sink has stored the latter. A record that is not finished (the run stopped
    /// or failed first) is never passed. The callback runs on the worker that processed the batch, one call at a time per
    /// worker, and receives <see cref="CancellationToken.None"/> so that a stopping run still acknowledges finished work;
    /// an exception it throws fails the run.
    /// </summary>
    /// <remarks>Such a source keeps its own progress, so it cannot be combined with <see cref="WithCheckpoints(ICheckpointStore)"/> or <see cref="WithTransactionalSink(ITransactionalBatchSink{T})"/>.</remarks>
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
    /// Reports the run's progress to <paramref name="progress"/> every <paramref name="interval"/> and once at the end
    /// (<see cref="PipelineProgress.IsFinal"/>), for a progress bar or a status page. The same interval paces the periodic
    /// <c>PipelineProgress</c> log event.
    /// </summary>
    /// <param name="progress">Receives the reports, e.g. a <see cref="Progress{T}"/>; it must be quick (it runs on the progress timer).</param>
    /// <param name="interval">100 ms to 1 hour; <see langword="null"/> keeps <see cref="SluicePipeline.DefaultProgressInterval"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="progress"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is outside its range.</exception>
    public SluicePipeline<T> WithProgress(IProgress<PipelineProgress> progress, TimeSpan? interval = null)
    {
        _progress = Guard.NotNull(progress);
        if (interval is { } every)
        {
            _progressInterval = Guard.InRange(every, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), nameof(interval));
        }

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
    /// <exception cref="InvalidOperationException">Checkpoints or a transactional sink are configured but the pipeline has no name, or a transactional sink is combined with checkpoints or dead letters.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <remarks>A lambda that would fit both overloads (one that ignores its first parameter) binds to this one.</remarks>
    [OverloadResolutionPriority(1)]
    public Task<PipelineReport> RunAsync(Func<T, CancellationToken, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(handler);
        return Start(handler, batchHandler: null, borrowedHandler: null, cancellationToken);
    }

    /// <summary>
    /// Runs the pipeline, calling <paramref name="handler"/> once per batch (more on retries). When a batch fails for
    /// good, its records are retried one by one so that only the records that really fail are dead-lettered.
    /// </summary>
    /// <param name="handler">Processes one batch, a new list it may keep; it must observe the token it receives.</param>
    /// <param name="cancellationToken">Stops the run promptly: in-flight work drains, completed work is checkpointed, then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns>The report of a run in which every record succeeded or was dead-lettered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">Checkpoints or a transactional sink are configured but the pipeline has no name, or a transactional sink is combined with checkpoints or dead letters.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public Task<PipelineReport> RunAsync(Func<IReadOnlyList<T>, CancellationToken, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(handler);
        return Start(recordHandler: null, handler, borrowedHandler: null, cancellationToken);
    }

    /// <summary>
    /// Runs the pipeline, calling <paramref name="handler"/> once per batch (more on retries), with the batch
    /// <em>borrowed</em>: the memory is valid only until the call's task completes and is then reused for later records,
    /// so do not keep it or anything that refers into it (copy what you need, e.g. with <c>batch.ToArray()</c>). In
    /// exchange the pipeline allocates nothing per record for it. Otherwise it behaves as
    /// <see cref="RunAsync(Func{IReadOnlyList{T}, CancellationToken, ValueTask}, CancellationToken)"/>: a batch that fails for
    /// good is retried record by record so that only the records that really fail are dead-lettered.
    /// </summary>
    /// <param name="handler">Processes one borrowed batch; it must observe the token it receives and must not keep the batch.</param>
    /// <param name="cancellationToken">Stops the run promptly: in-flight work drains, completed work is checkpointed, then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns>The report of a run in which every record succeeded or was dead-lettered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">Checkpoints or a transactional sink are configured but the pipeline has no name, or a transactional sink is combined with checkpoints, dead letters or a parallelism above 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public Task<PipelineReport> RunBorrowedAsync(Func<ReadOnlyMemory<T>, CancellationToken, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(handler);
        return Start(recordHandler: null, batchHandler: null, handler, cancellationToken);
    }

    private Task<PipelineReport> Start(
        Func<T, CancellationToken, ValueTask>? recordHandler,
        Func<IReadOnlyList<T>, CancellationToken, ValueTask>? batchHandler,
        Func<ReadOnlyMemory<T>, CancellationToken, ValueTask>? borrowedHandler,
        CancellationToken cancellationToken)
    {
        if (_checkpoints is not null && !_named)
        {
            throw new InvalidOperationException("A pipeline with checkpoints needs a stable name: call WithName before RunAsync.");
        }

        if (_input is not null && !_named)
        {
            throw new InvalidOperationException("A pipeline with an input identity needs a stable name: call WithName before RunAsync.");
        }

        if (_transactional is not null)
        {
            if (!_named)
            {
                throw new InvalidOperationException("A pipeline with a transactional sink needs a stable name: call WithName before RunAsync.");
            }

            if (_checkpoints is not null || _deadLetters is not null)
            {
                throw new InvalidOperationException("A transactional sink commits the checkpoint and the dead letters itself: do not combine it with WithCheckpoints or WithDeadLetters.");
            }
        }

        if (_checkpoints is not null && _completed is not null)
        {
            throw new InvalidOperationException(
                "A pipeline whose source acknowledges its own records (OnRecordsCompleted) keeps its progress there: checkpoints would skip records the source delivers again, so they cannot be combined.");
        }

        if (_transactional is not null && _completed is not null)
        {
            throw new InvalidOperationException(
                "A pipeline whose source acknowledges its own records (OnRecordsCompleted) cannot also commit a checkpoint with a transactional sink: the source would acknowledge records before their commit.");
        }

        var definition = new PipelineDefinition<T>(
            _name, _batchSize, _parallelism, _asyncSource, _syncSource, _partitionHash, _partitionKeyText,
            _resilience, _deadLetters, _payloadSerializer, _checkpoints, _logger, _timeProvider, recordHandler, batchHandler)
        {
            Input = _input,
            AllowRerun = _allowRerun,
            LeaseDuration = _leaseDuration,
            LeaseWait = _leaseWait,
            Progress = _progress,
            ProgressInterval = _progressInterval,
            Transactional = _transactional,
            Completed = _completed,
            BorrowedHandler = borrowedHandler,
            CheckpointRecords = _checkpointRecords,
            CheckpointInterval = _checkpointInterval,
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
    public string? Input { get; init; }

    public bool AllowRerun { get; init; }

    public TimeSpan LeaseDuration { get; init; } = SluicePipeline.DefaultLeaseDuration;

    public TimeSpan LeaseWait { get; init; }

    public IProgress<PipelineProgress>? Progress { get; init; }

    public TimeSpan ProgressInterval { get; init; } = SluicePipeline.DefaultProgressInterval;

    public ITransactionalBatchSink<T>? Transactional { get; init; }

    /// <summary>Gets the callback that receives each batch's finished records, if the source acknowledges them.</summary>
    public Func<IReadOnlyList<T>, CancellationToken, ValueTask>? Completed { get; init; }

    /// <summary>Gets the batch handler that borrows its batch (valid only during the call), if that overload was used.</summary>
    public Func<ReadOnlyMemory<T>, CancellationToken, ValueTask>? BorrowedHandler { get; init; }

    /// <summary>Gets how many finished records make a checkpoint commit due.</summary>
    public int CheckpointRecords { get; init; } = SluicePipeline.DefaultCheckpointRecords;

    /// <summary>Gets how much time since the last checkpoint commit makes the next one due.</summary>
    public TimeSpan CheckpointInterval { get; init; } = SluicePipeline.DefaultCheckpointInterval;
}
