using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Sluice.Telemetry;

namespace Sluice.Pipeline;

/// <summary>
/// One execution of a pipeline: a reader task that fills batches (pooled arrays) and hands each over as a unit through
/// bounded channels, one worker per partition, and the bookkeeping that makes every record end as succeeded or
/// dead-lettered and checkpoints only finished prefixes.
/// </summary>
internal sealed class PipelineRun<T>
{
    private static readonly TimeSpan LeasePollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly bool ClearRecords = RuntimeHelpers.IsReferenceOrContainsReferences<T>();
    private readonly PipelineDefinition<T> _definition;
    private readonly KeyValuePair<string, object?> _pipelineTag;
    private readonly Lane[] _lanes;
    private readonly Channel<Chunk>[] _channels;
    private readonly object _failureGate = new();
    private readonly object _takeGate = new();
    private readonly ConcurrentQueue<Chunk> _chunkPool = new();
    private readonly PipelineInstance _instance;
    private CancellationTokenSource _stop = null!;
    private CompletionTracker _tracker = null!;
    private ExceptionDispatchInfo? _failure;
    private Chunk? _head;
    private long _queued;
    private int _committing;
    private long _start;
    private long _committed;
    private long _committedAt;
    private long _read;
    private long _skipped;
    private bool _sourceExhausted;
    private long? _stored;
    private string? _runId;
    private PipelineLease? _lease;
    private PipelineReport? _report;

    public PipelineRun(PipelineDefinition<T> definition)
    {
        _definition = definition;
        _pipelineTag = SluiceTelemetry.Pipeline(definition.Name);
        _instance = new PipelineInstance(definition.Name, definition.Input);
        _lanes = new Lane[definition.Parallelism];
        for (var i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = new Lane(i);
        }

        // Keyed: one channel per partition keeps each key in order. Unkeyed: one shared channel lets
        // an idle worker pick up the next records while another is stuck on a slow one. Channels carry whole
        // batches; they hold about batch size × parallelism records, as the per-record channels did.
        var keyed = definition.PartitionHash is not null;
        _channels = new Channel<Chunk>[keyed ? definition.Parallelism : 1];
        var capacity = keyed ? 1 : definition.Parallelism;
        for (var i = 0; i < _channels.Length; i++)
        {
            _channels[i] = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(capacity)
            {
                SingleWriter = true,
                SingleReader = keyed,
                FullMode = BoundedChannelFullMode.Wait,
            });
        }
    }

    private enum Outcome
    {
        Succeeded,
        Failed,
        Canceled,
    }

    public async Task<PipelineReport> RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stop = stop;
        var runs = Store as IPipelineRunStore;
        var leases = Store as IPipelineLeaseStore;
        if (runs is null && leases is null)
        {
            await LoadCheckpointAsync(cancellationToken).ConfigureAwait(false);
            return await RunCoreAsync(cancellationToken).ConfigureAwait(false);
        }

        var startedAt = DateTimeOffset.UtcNow;
        _runId = string.Create(CultureInfo.InvariantCulture, $"{startedAt:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid().ToString("N")[..8]}");
        var holder = $"{Environment.MachineName} pid {Environment.ProcessId} run {_runId}";
        PipelineLease? lease = null;
        long leaseAskedAt = 0;
        if (leases is not null)
        {
            (lease, leaseAskedAt) = await AcquireLeaseAsync(leases, holder, cancellationToken).ConfigureAwait(false);
        }

        using var renewal = new CancellationTokenSource();
        var renewing = lease is null ? Task.CompletedTask : Task.Run(() => RenewLeaseAsync(leases!, lease, leaseAskedAt, renewal.Token), CancellationToken.None);
        try
        {
            await LoadCheckpointAsync(cancellationToken).ConfigureAwait(false);
            PipelineRunRecord? record = null;
            if (runs is not null)
            {
                record = await BeginRunRecordAsync(runs, holder, startedAt, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                var report = await RunCoreAsync(cancellationToken).ConfigureAwait(false);
                await EndRunRecordAsync(runs, record, PipelineRunStatus.Completed, null).ConfigureAwait(false);
                return report;
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested && _failure is null)
            {
                await EndRunRecordAsync(runs, record, PipelineRunStatus.Canceled, e).ConfigureAwait(false);
                throw;
            }
            catch (Exception e)
            {
                await EndRunRecordAsync(runs, record, PipelineRunStatus.Failed, e).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            await renewal.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
            if (lease is not null)
            {
                await ReleaseLeaseAsync(leases!, _lease ?? lease).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Gets the store of the checkpoint, the run records and the lease: the checkpoint store, or the one a transactional
    /// sink keeps its checkpoints in (<see cref="ICheckpointStoreProvider"/>), so a transactional run is recorded and leased too.
    /// </summary>
    private ICheckpointStore? Store => _definition.Checkpoints ?? (_definition.Transactional as ICheckpointStoreProvider)?.CheckpointStore;

    private async ValueTask LoadCheckpointAsync(CancellationToken cancellationToken)
    {
        if (Store is { } store)
        {
            _stored = await store.LoadAsync(_instance.Key, SluicePipeline.CheckpointPartition, cancellationToken).ConfigureAwait(false);
            _start = _stored ?? 0;
        }
    }

    /// <returns>The lease, and the <see cref="Stopwatch"/> timestamp of when it was asked for, which renewals count from.</returns>
    private async ValueTask<(PipelineLease Lease, long AskedAt)> AcquireLeaseAsync(IPipelineLeaseStore leases, string holder, CancellationToken cancellationToken)
    {
        var waitUntil = DateTimeOffset.UtcNow + _definition.LeaseWait;
        while (true)
        {
            try
            {
                var askedAt = Stopwatch.GetTimestamp();
                return (await leases.AcquireLeaseAsync(_instance.Key, holder, _definition.LeaseDuration, cancellationToken).ConfigureAwait(false), askedAt);
            }
            catch (PipelineInstanceBusyException) when (DateTimeOffset.UtcNow < waitUntil)
            {
                await Task.Delay(LeasePollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Gives the lease back. A store that cannot be reached at that moment (a dropped connection) must not turn a finished
    /// run into a failed one, nor hide the run's own error: the lease expires on its own, so the failure is logged.
    /// </summary>
    private async ValueTask ReleaseLeaseAsync(IPipelineLeaseStore leases, PipelineLease lease)
    {
        try
        {
            await leases.ReleaseLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.LeaseReleaseFailed(_definition.Logger, e, _definition.Name, lease.ExpiresAt);
        }
    }

    /// <summary>
    /// Renews the lease every third of its duration until <paramref name="stop"/>, and fails the run when the lease can no
    /// longer be shown to hold.
    /// <para>
    /// Both clocks here are this process's monotonic one, counted from when an acquire or renewal was asked for, never
    /// from when it returned nor from the lease's own expiry. The store dates a lease from a moment after it is asked, by
    /// its own clock (a database's, for a database store), so a duration after the asking is never later than the store's
    /// expiry, whatever the clocks' skew. Counting renewals from the return would add every round trip to the gap between
    /// them, so a store slower than a third of the duration (a busy disk's flush, a loaded database) would fail the run;
    /// counted from the asking, a store that answers within half the duration keeps the lease.
    /// </para>
    /// <para>
    /// A renewal still unanswered when the lease ends is given up, and the run fails: past that moment another run may
    /// hold the instance, and going on would process its records twice.
    /// </para>
    /// </summary>
    private async Task RenewLeaseAsync(IPipelineLeaseStore leases, PipelineLease lease, long askedAt, CancellationToken stop)
    {
        _lease = lease;
        var duration = _definition.LeaseDuration;
        var interval = duration / 3;
        var heldSince = askedAt;
        Exception? lastFailure = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // Until the next renewal is due, or until the lease ends if that comes first (after failed renewals).
                var wait = Min(interval - Stopwatch.GetElapsedTime(askedAt), duration - Stopwatch.GetElapsedTime(heldSince));
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            var left = duration - Stopwatch.GetElapsedTime(heldSince);
            if (left <= TimeSpan.Zero)
            {
                Fail(LeaseLost(lastFailure));
                return;
            }

            askedAt = Stopwatch.GetTimestamp();
            using var leaseEnd = CancellationTokenSource.CreateLinkedTokenSource(stop);
            leaseEnd.CancelAfter(left);
            Task<PipelineLease>? renewing = null;
            try
            {
                // Waited for no longer than the lease, even from a store that does not honour the token: a run must not
                // go on past its lease, nor hang at its end waiting for a renewal that never comes back.
                renewing = leases.RenewLeaseAsync(_lease, duration, leaseEnd.Token).AsTask();
                _lease = await renewing.WaitAsync(leaseEnd.Token).ConfigureAwait(false);
                heldSince = askedAt;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (PipelineInstanceBusyException e)
            {
                // Another run took the instance over: stopping is the only way not to process it twice.
                Fail(e);
                return;
            }
            catch (Exception e) when (!leaseEnd.IsCancellationRequested && Stopwatch.GetElapsedTime(heldSince) < duration)
            {
                // A renewal that failed early (a dropped connection) is tried again while the lease holds.
                lastFailure = e;
                Log.LeaseRenewalFailed(_definition.Logger, e, _definition.Name, DateTimeOffset.UtcNow + (duration - Stopwatch.GetElapsedTime(heldSince)));
            }
            catch (Exception e)
            {
                // Failed or cut off at the lease's end (leaseEnd): the lease may be another run's by now.
                Fail(LeaseLost(e));
                return;
            }
            finally
            {
                if (renewing is { IsCompleted: false })
                {
                    // Left behind by WaitAsync: its failure, if it ever comes, is the cut-off one's and needs no report.
                    _ = renewing.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private PipelineInstanceBusyException LeaseLost(Exception? lastFailure)
        => new($"Pipeline instance '{_instance.Key}' lost its lease: it could not be renewed within its {_definition.LeaseDuration.TotalSeconds:0.###} s, so another run may hold the instance now. Its progress up to the last checkpoint is kept; run it again once the lease store answers.", lastFailure);

    private async ValueTask<PipelineRunRecord> BeginRunRecordAsync(IPipelineRunStore runs, string holder, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        PipelineRunRecord? last = null;
        await foreach (var run in runs.ListRunsAsync(_instance.Key, cancellationToken).ConfigureAwait(false))
        {
            last = run;
            break;
        }

        if (last is { Status: PipelineRunStatus.Running })
        {
            // This run holds the lease, so the one recorded as running is gone without recording its end.
            await runs.SaveRunAsync(
                last with { Status = PipelineRunStatus.Failed, Error = "The run stopped without recording its end (its process crashed or was killed); a later run took over its instance." },
                cancellationToken).ConfigureAwait(false);
        }

        if (last is { Status: PipelineRunStatus.Completed } && _stored is not null)
        {
            if (!_definition.AllowRerun)
            {
                throw new PipelineInstanceCompletedException(_instance.Key, last);
            }

            Log.PipelineRerunning(_definition.Logger, _instance.Key, last.RunId);
            _start = 0;
            await Store!.CommitAsync(_instance.Key, SluicePipeline.CheckpointPartition, 0, cancellationToken).ConfigureAwait(false);
        }
        else if (_start > 0)
        {
            Log.PipelineResuming(_definition.Logger, _definition.Name, _start);
        }

        var record = new PipelineRunRecord
        {
            RunId = _runId!,
            Pipeline = _definition.Name,
            Input = _instance.Input,
            Instance = _instance.Key,
            Status = PipelineRunStatus.Running,
            Holder = holder,
            StartedAt = startedAt,
            StartCheckpoint = _start,
            DeadLetterLocation = (_definition.DeadLetters as IDeadLetterStore)?.Location,
        };
        await runs.SaveRunAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
    }

    private async ValueTask EndRunRecordAsync(IPipelineRunStore? runs, PipelineRunRecord? record, PipelineRunStatus status, Exception? error)
    {
        if (runs is null || record is null)
        {
            return;
        }

        var report = _report;
        var ended = record with
        {
            Status = status,
            EndedAt = DateTimeOffset.UtcNow,
            Checkpoint = Interlocked.Read(ref _committed),
            Read = report?.Read ?? _read,
            Skipped = report?.Skipped ?? _skipped,
            Succeeded = report?.Succeeded ?? 0,
            DeadLettered = report?.DeadLettered ?? 0,
            Retried = report?.Retried ?? 0,
            Error = error is null ? null : error.GetType().FullName + ": " + error.Message,
        };

        try
        {
            await runs.SaveRunAsync(ended, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (error is not null)
        {
            // The run's own failure is the one to report; the record stays "running" and the next run marks it failed.
            Log.RunRecordFailed(_definition.Logger, e, _definition.Name, record.RunId);
        }
    }

    private async Task<PipelineReport> RunCoreAsync(CancellationToken cancellationToken)
    {
        var started = _definition.TimeProvider.GetTimestamp();
        using var activity = SluiceTelemetry.ActivitySource.StartActivity("sluice.pipeline.run");
        activity?.SetTag(SluiceTelemetry.PipelineTag, _definition.Name);
        if (_start > 0 && Store is not IPipelineRunStore)
        {
            Log.PipelineResuming(_definition.Logger, _definition.Name, _start);
        }
        else if (_definition.Transactional is { } transactional && _stored is null)
        {
            // Retried like the commits: the database may drop a connection at any time, the first one included.
            _start = (_definition.Resilience is { } resilience
                ? await resilience.ExecuteAsync(static (state, ct) => state.Sink.LoadCheckpointAsync(state.Key, SluicePipeline.CheckpointPartition, ct), (Sink: transactional, _instance.Key), cancellationToken).ConfigureAwait(false)
                : await transactional.LoadCheckpointAsync(_instance.Key, SluicePipeline.CheckpointPartition, cancellationToken).ConfigureAwait(false)) ?? 0;
            if (_start > 0)
            {
                Log.PipelineResuming(_definition.Logger, _definition.Name, _start);
            }
        }

        _committed = _start;
        _committedAt = _definition.TimeProvider.GetTimestamp();
        _tracker = new CompletionTracker(_start);
        var stop = _stop;
        using var progressStop = new CancellationTokenSource();
        var reporting = Task.Run(() => ReportProgressAsync(started, progressStop.Token), CancellationToken.None);
        var pacing = _definition.Checkpoints is not null && _definition.CheckpointInterval > TimeSpan.Zero
            ? Task.Run(() => CommitOnTimeAsync(progressStop.Token), CancellationToken.None)
            : Task.CompletedTask;

        // Stopping completes the channels: a reader waiting for room and workers waiting for records wake up and
        // see the stop (both wait without the token, see HandOverAsync and WorkAsync).
        using var wake = stop.Token.Register(static state =>
        {
            foreach (var channel in (Channel<Chunk>[])state!)
            {
                channel.Writer.TryComplete();
            }
        }, _channels);
        var tasks = new Task[_lanes.Length + 1];
        tasks[0] = Task.Run(() => ReadSourceAsync(stop.Token), CancellationToken.None);
        for (var i = 0; i < _lanes.Length; i++)
        {
            var lane = _lanes[i];
            tasks[i + 1] = Task.Run(() => WorkAsync(lane, stop.Token), CancellationToken.None);
        }

        // Reader and workers never throw: failures are recorded and stop the run.
        await Task.WhenAll(tasks).ConfigureAwait(false);
        await progressStop.CancelAsync().ConfigureAwait(false);
        await pacing.ConfigureAwait(false);

        // Made once every worker and the pacing timer have stopped, so never contended.
        await TryCommitAsync(final: true).ConfigureAwait(false);
        await reporting.ConfigureAwait(false);
        ReportProgress(started, final: true);

        var report = BuildReport(_definition.TimeProvider.GetElapsedTime(started));
        _report = report;
        if (_failure is { } failure)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failure.SourceException.Message);
            Log.PipelineFailed(_definition.Logger, failure.SourceException, _definition.Name, _committed);
            failure.Throw();
        }

        // A cancellation that arrives after the last record finished has nothing left to stop.
        var finishedEverything = _sourceExhausted && _tracker.Watermark == _start + _read;
        if (cancellationToken.IsCancellationRequested && !finishedEverything)
        {
            Log.PipelineCanceled(_definition.Logger, _definition.Name, _committed);
            throw new OperationCanceledException($"Pipeline '{_definition.Name}' was canceled; finished work up to position {_committed} is checkpointed.", cancellationToken);
        }

        if (report.Read == 0 && report.Skipped > 0)
        {
            // Nothing was processed because an earlier checkpoint covered the whole input: never a silent success.
            Log.PipelineSkippedEverything(_definition.Logger, _instance.Key, report.Skipped);
        }

        Log.PipelineCompleted(_definition.Logger, _definition.Name, report.Read, report.Succeeded, report.DeadLettered, report.Retried, report.Elapsed);
        return report;
    }

    private async Task ReportProgressAsync(long started, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_definition.ProgressInterval, _definition.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                ReportProgress(started, final: false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended; the final report follows.
        }
    }

    /// <summary>
    /// Commits finished work that has waited for the checkpoint interval even when no batch finishes to trigger it
    /// (a slow source, a long batch), so finished records wait about one interval at most.
    /// </summary>
    private async Task CommitOnTimeAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_definition.CheckpointInterval, _definition.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await TryCommitAsync(final: false).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended; the final commit follows.
        }
    }

    private void ReportProgress(long started, bool final)
    {
        long succeeded = 0, deadLettered = 0, retried = 0;
        foreach (var lane in _lanes)
        {
            succeeded += lane.Succeeded;
            deadLettered += lane.DeadLettered;
            retried += lane.Retried;
        }

        var elapsed = _definition.TimeProvider.GetElapsedTime(started);
        var rate = elapsed > TimeSpan.Zero ? (succeeded + deadLettered) / elapsed.TotalSeconds : 0;
        long? checkpoint = _definition.Checkpoints is null && _definition.Transactional is null ? null : Interlocked.Read(ref _committed);
        var read = Volatile.Read(ref _read);
        try
        {
            if (!final)
            {
                Log.PipelineProgress(_definition.Logger, _instance.Key, read, succeeded, deadLettered, retried, checkpoint, rate, elapsed);
            }

            _definition.Progress?.Report(new PipelineProgress
            {
                PipelineName = _definition.Name,
                Instance = _instance.Key,
                RunId = _runId,
                Read = read,
                Skipped = Volatile.Read(ref _skipped),
                Succeeded = succeeded,
                DeadLettered = deadLettered,
                Retried = retried,
                Checkpoint = checkpoint,
                Elapsed = elapsed,
                RecordsPerSecond = rate,
                IsFinal = final,
            });
        }
        catch (Exception e)
        {
            // A broken progress display must not lose records: stop the run the usual way.
            Fail(e);
        }
    }

    private async Task ReadSourceAsync(CancellationToken token)
    {
        // The batch being filled for each channel; handed over when full, when an asynchronous source has to wait for
        // its next record, and at the end.
        var pending = new Chunk?[_channels.Length];
        try
        {
            long position = 0;
            if (_definition.AsyncSource is { } asyncSource)
            {
                var records = asyncSource.GetAsyncEnumerator(token);
                try
                {
                    while (true)
                    {
                        var next = records.MoveNextAsync();
                        if (!next.IsCompleted)
                        {
                            // The source has to wait (a broker between deliveries, a query between pages): hand over
                            // what is filled so far instead of holding records back until a batch is full.
                            try
                            {
                                await HandOverAllAsync(pending, token).ConfigureAwait(false);
                            }
                            catch
                            {
                                // An asynchronous iterator refuses to be disposed while its MoveNextAsync is pending
                                // (NotSupportedException, which would replace the stop or failure being reported): let
                                // it finish first. The run is stopping, so the token ends the wait, and what it returns
                                // or throws no longer matters.
                                await ((Task)next.AsTask()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                                throw;
                            }
                        }

                        if (!await next.ConfigureAwait(false))
                        {
                            break;
                        }

                        await AddAsync(pending, records.Current, position++, token).ConfigureAwait(false);
                    }
                }
                finally
                {
                    await records.DisposeAsync().ConfigureAwait(false);
                }
            }
            else
            {
                foreach (var record in _definition.SyncSource!)
                {
                    token.ThrowIfCancellationRequested();
                    await AddAsync(pending, record, position++, token).ConfigureAwait(false);
                }
            }

            await HandOverAllAsync(pending, token).ConfigureAwait(false);
            _sourceExhausted = true;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping: records not handed over are not done and stay after the checkpoint.
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            foreach (var channel in _channels)
            {
                channel.Writer.TryComplete();
            }
        }
    }

    private ValueTask AddAsync(Chunk?[] pending, T record, long position, CancellationToken token)
    {
        if (position < _start)
        {
            _skipped++;
            return default;
        }

        var index = _definition.PartitionHash is { } hash ? (int)((uint)hash(record) % (uint)_channels.Length) : 0;
        var chunk = pending[index] ??= RentChunk();
        chunk.Records[chunk.Count] = record;
        if (chunk.Positions is { } positions)
        {
            positions[chunk.Count] = position;
        }
        else if (chunk.Count == 0)
        {
            chunk.First = position;
        }

        chunk.Count++;
        return chunk.Count == _definition.BatchSize ? HandOverAsync(pending, index, token) : default;
    }

    private async ValueTask HandOverAllAsync(Chunk?[] pending, CancellationToken token)
    {
        for (var i = 0; i < pending.Length; i++)
        {
            if (pending[i] is not null)
            {
                await HandOverAsync(pending, i, token).ConfigureAwait(false);
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask HandOverAsync(Chunk?[] pending, int index, CancellationToken token)
    {
        var chunk = pending[index]!;
        pending[index] = null;
        var count = chunk.Count;
        chunk.Taken = 0;
        chunk.Outstanding = count;
        Interlocked.Add(ref _queued, count);
        var writer = _channels[index].Writer;
        while (!writer.TryWrite(chunk))
        {
            // Waits without the token, so that the channel reuses its waiter instead of allocating one per wait: a
            // stopping run completes the channels (see RunCoreAsync), which ends the wait.
            if (!await writer.WaitToWriteAsync(CancellationToken.None).ConfigureAwait(false))
            {
                token.ThrowIfCancellationRequested();
                throw new InvalidOperationException("The pipeline's channel was completed while the reader was still writing to it.");
            }
        }

        // The chunk may already be finished and reused: only the count taken before the write is used.
        Volatile.Write(ref _read, _read + count);
        SluiceTelemetry.RecordsRead.Add(count, _pipelineTag);
    }

    private Chunk RentChunk()
    {
        if (!_chunkPool.TryDequeue(out var chunk))
        {
            chunk = new Chunk();
        }

        chunk.Records = ArrayPool<T>.Shared.Rent(_definition.BatchSize);
        chunk.Positions = _definition.PartitionHash is null ? null : ArrayPool<long>.Shared.Rent(_definition.BatchSize);
        return chunk;
    }

    /// <summary>Marks a taken part of a chunk as finished; the last part gives the chunk's arrays back to the pool.</summary>
    private void Finished(Slice slice)
    {
        var chunk = slice.Chunk;
        if (Interlocked.Add(ref chunk.Outstanding, -slice.Count) != 0)
        {
            return;
        }

        if (ClearRecords)
        {
            // A pooled array must not keep records alive.
            Array.Clear(chunk.Records, 0, chunk.Count);
        }

        ArrayPool<T>.Shared.Return(chunk.Records);
        if (chunk.Positions is { } positions)
        {
            ArrayPool<long>.Shared.Return(positions);
        }

        chunk.Records = [];
        chunk.Positions = null;
        chunk.Count = 0;
        chunk.Taken = 0;
        _chunkPool.Enqueue(chunk);
    }

    private async Task WorkAsync(Lane lane, CancellationToken token)
    {
        var keyed = _definition.PartitionHash is not null;
        var reader = keyed ? _channels[lane.Index].Reader : _channels[0].Reader;
        try
        {
            while (!token.IsCancellationRequested)
            {
                if (!TryTake(keyed, reader, out var slice))
                {
                    // Not canceled with the token: a channel reuses its waiter only for a wait that cannot be canceled,
                    // and a stopping run completes the channels anyway (the reader's finally), which ends this wait.
                    if (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
                    {
                        continue;
                    }

                    if (!TryTake(keyed, reader, out slice))
                    {
                        break;
                    }
                }

                lane.Read += slice.Count;
                try
                {
                    await ProcessBatchAsync(lane, slice, token).ConfigureAwait(false);
                }
                finally
                {
                    Finished(slice);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping: the batch in hand was drained by ProcessBatchAsync; queued records stay undone.
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private bool TryTake(bool keyed, ChannelReader<Chunk> reader, out Slice slice)
    {
        if (keyed)
        {
            // One worker per partition: whole batches, in the order the reader filled them.
            if (reader.TryRead(out var own))
            {
                slice = new Slice(own, 0, own.Count);
                return true;
            }

            slice = default;
            return false;
        }

        lock (_takeGate)
        {
            var head = _head;
            if (head is null)
            {
                if (!reader.TryRead(out head))
                {
                    slice = default;
                    return false;
                }

                _head = head;
            }

            var take = Math.Min(TakeSize(), head.Count - head.Taken);
            slice = new Slice(head, head.Taken, take);
            head.Taken += take;
            if (head.Taken == head.Count)
            {
                // Fully handed out: once its parts finish it goes back to the pool, so nothing may refer to it here.
                _head = null;
            }

            Interlocked.Add(ref _queued, -take);
            return true;
        }
    }

    /// <summary>
    /// How many queued records a worker takes as its next batch: at most the batch size, and when several workers share
    /// one queue, no more than an even share of what is queued (guided self-scheduling). While the source keeps the
    /// queue full (about batch size × parallelism records) that is a full batch; once the source runs dry the batches
    /// shrink (a queued batch is split between workers), so no worker is left running a whole batch one record after
    /// another while the others are idle.
    /// </summary>
    private int TakeSize()
    {
        var size = _definition.BatchSize;
        if (_lanes.Length > 1)
        {
            var share = (Volatile.Read(ref _queued) + _lanes.Length - 1) / _lanes.Length;
            size = (int)Math.Clamp(share, 1, size);
        }

        return size;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ProcessBatchAsync(Lane lane, Slice batch, CancellationToken token)
    {
        var started = _definition.TimeProvider.GetTimestamp();
        using var activity = SluiceTelemetry.ActivitySource.StartActivity("sluice.batch");
        activity?.SetTag(SluiceTelemetry.PipelineTag, _definition.Name);
        activity?.SetTag(SluiceTelemetry.PartitionTag, lane.Index);

        // Both are the lane's own and reused from batch to batch: nothing here outlives this call.
        var done = lane.Done;
        done.Clear();
        var deadLetters = lane.DeadLetters;
        deadLetters.Clear();
        long succeeded;
        if (_definition.BatchHandler is null && _definition.BorrowedHandler is null)
        {
            succeeded = await ProcessOneByOneAsync(lane, batch, done, deadLetters, token).ConfigureAwait(false);
        }
        else
        {
            var outcome = await AttemptBatchAsync(lane, batch, token).ConfigureAwait(false);
            succeeded = 0;
            if (outcome == Outcome.Succeeded)
            {
                succeeded = batch.Count;
            }
            else if (outcome == Outcome.Failed && batch.Count == 1)
            {
                // Already isolated: running it alone again would only repeat the failure.
                TryDeadLetter(lane, batch.Item(0), deadLetters);
            }
            else if (outcome == Outcome.Failed)
            {
                // Isolate the poison records: only the records that fail on their own are dead-lettered.
                succeeded = await ProcessOneByOneAsync(lane, batch, done, deadLetters, token).ConfigureAwait(false);
            }
        }

        // The success path: every record of the batch succeeded, so the batch is finished as one range.
        var all = succeeded == batch.Count;
        if (_definition.Transactional is { } sink)
        {
            if (all && done.Count == 0)
            {
                batch.AddPositionsTo(done);
            }

            await CommitTransactionallyAsync(sink, lane, batch.ToItems(), done, deadLetters).ConfigureAwait(false);
            SluiceTelemetry.BatchDuration.Record(_definition.TimeProvider.GetElapsedTime(started).TotalSeconds, _pipelineTag);
            return;
        }

        if (deadLetters.Letters.Count > 0)
        {
            try
            {
                // Not cancelled: the records are finished and must be stored before they count as done.
                await _definition.DeadLetters!.WriteAsync(deadLetters.Letters.ToArray(), CancellationToken.None).ConfigureAwait(false);
                done.AddRange(deadLetters.Positions);
                lane.DeadLettered += deadLetters.Letters.Count;
                SluiceTelemetry.RecordsDeadLettered.Add(deadLetters.Letters.Count, _pipelineTag);
            }
            catch (Exception e)
            {
                Fail(e);
            }
        }

        lane.Succeeded += succeeded;
        SluiceTelemetry.RecordsSucceeded.Add(succeeded, _pipelineTag);
        if (all)
        {
            batch.CompleteIn(_tracker);
        }
        else
        {
            _tracker.Complete(CollectionsMarshal.AsSpan(done));
        }

        if (_definition.Completed is { } completed && (all || done.Count > 0))
        {
            await NotifyCompletedAsync(completed, batch, done, all).ConfigureAwait(false);
        }

        SluiceTelemetry.BatchDuration.Record(_definition.TimeProvider.GetElapsedTime(started).TotalSeconds, _pipelineTag);
        await TryCommitAsync(final: false).ConfigureAwait(false);
        if (_definition.Checkpoints is not null)
        {
            SluiceTelemetry.CheckpointLag.Record(_tracker.Watermark - Interlocked.Read(ref _committed) + _tracker.DoneAhead, _pipelineTag);
        }
    }

    private async ValueTask NotifyCompletedAsync(Func<IReadOnlyList<T>, CancellationToken, ValueTask> completed, Slice batch, List<long> done, bool all)
    {
        // A list of its own: the batch's array goes back to the pool once this batch is finished.
        List<T> records;
        if (all)
        {
            records = new List<T>(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                records.Add(batch.Record(i));
            }
        }
        else
        {
            var finished = new HashSet<long>(done);
            records = new List<T>(done.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                if (finished.Contains(batch.Position(i)))
                {
                    records.Add(batch.Record(i));
                }
            }
        }

        try
        {
            // Not cancelled: finished work is acknowledged even while the run stops.
            await completed(records, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long> ProcessOneByOneAsync(Lane lane, Slice batch, List<long> done, DeadLetterBuffer deadLetters, CancellationToken token)
    {
        long succeeded = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (token.IsCancellationRequested)
            {
                break;
            }

            var item = batch.Item(i);
            Outcome outcome;
            if (_definition.BatchHandler is null && _definition.BorrowedHandler is null)
            {
                outcome = await AttemptRecordAsync(lane, item, token).ConfigureAwait(false);
            }
            else
            {
                T[] one = [item.Record];
                outcome = await AttemptBatchAsync(lane, one, one, item.Position, token).ConfigureAwait(false);
            }

            if (outcome == Outcome.Succeeded)
            {
                done.Add(item.Position);
                succeeded++;
            }
            else if (outcome == Outcome.Canceled || !TryDeadLetter(lane, item, deadLetters))
            {
                break;
            }
        }

        return succeeded;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome> AttemptRecordAsync(Lane lane, Item item, CancellationToken token)
    {
        lane.Record = item.Record;
        lane.Position = item.Position;
        lane.Attempts = 0;
        lane.LastFailure = null;
        try
        {
            if (_definition.Resilience is { } resilience)
            {
                await resilience.ExecuteAsync(static (state, ct) => state.Run.InvokeRecordAsync(state.Lane, ct), (Run: this, Lane: lane), token).ConfigureAwait(false);
            }
            else
            {
                await InvokeRecordAsync(lane, token).ConfigureAwait(false);
            }

            return Outcome.Succeeded;
        }
        catch (Exception e)
        {
            return Classify(lane, e, token);
        }
        finally
        {
            lane.Record = default!;
        }
    }

    private ValueTask<Outcome> AttemptBatchAsync(Lane lane, Slice batch, CancellationToken token)
    {
        // The borrowing handler reads the pooled array in place; the other gets a new array of its own to keep.
        if (_definition.BorrowedHandler is null)
        {
            var copy = batch.Records.ToArray();
            return AttemptBatchAsync(lane, copy, copy, batch.Position(0), token);
        }

        return AttemptBatchAsync(lane, batch.Records, list: null, batch.Position(0), token);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome> AttemptBatchAsync(Lane lane, ReadOnlyMemory<T> records, IReadOnlyList<T>? list, long firstPosition, CancellationToken token)
    {
        lane.Batch = records;
        lane.BatchList = list;
        lane.Position = firstPosition;
        lane.Attempts = 0;
        lane.LastFailure = null;
        try
        {
            if (_definition.Resilience is { } resilience)
            {
                await resilience.ExecuteAsync(static (state, ct) => state.Run.InvokeBatchAsync(state.Lane, ct), (Run: this, Lane: lane), token).ConfigureAwait(false);
            }
            else
            {
                await InvokeBatchAsync(lane, token).ConfigureAwait(false);
            }

            return Outcome.Succeeded;
        }
        catch (Exception e)
        {
            return Classify(lane, e, token);
        }
        finally
        {
            lane.Batch = default;
            lane.BatchList = null;
        }
    }

    private static Outcome Classify(Lane lane, Exception exception, CancellationToken token)
    {
        // Once the run is stopping, a failure may just be the cancellation surfacing in another shape;
        // leaving the record undone (it stays after the checkpoint) is the safe reading.
        if (token.IsCancellationRequested)
        {
            return Outcome.Canceled;
        }

        lane.LastFailure = exception;
        return Outcome.Failed;
    }

    private ValueTask InvokeRecordAsync(Lane lane, CancellationToken token)
    {
        BeforeAttempt(lane);
        ValueTask attempt;
        try
        {
            attempt = _definition.RecordHandler!(lane.Record, token);
        }
        catch (Exception e)
        {
            lane.LastFailure = e;
            throw;
        }

        return Observe(lane, attempt);
    }

    private ValueTask InvokeBatchAsync(Lane lane, CancellationToken token)
    {
        BeforeAttempt(lane);
        ValueTask attempt;
        try
        {
            attempt = _definition.BorrowedHandler is { } borrowed
                ? borrowed(lane.Batch, token)
                : _definition.BatchHandler!(lane.BatchList!, token);
        }
        catch (Exception e)
        {
            lane.LastFailure = e;
            throw;
        }

        return Observe(lane, attempt);
    }

    private void BeforeAttempt(Lane lane)
    {
        lane.Attempts++;
        if (lane.Attempts > 1)
        {
            lane.Retried++;
            SluiceTelemetry.RecordsRetried.Add(1, _pipelineTag);
            if (lane.LastFailure is { } previous)
            {
                Log.RecordRetrying(_definition.Logger, previous, _definition.Name, lane.Position, lane.Attempts);
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask Observe(Lane lane, ValueTask attempt)
    {
        try
        {
            await attempt.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            lane.LastFailure = e;
            throw;
        }
    }

    private bool TryDeadLetter(Lane lane, Item item, DeadLetterBuffer buffer)
    {
        var failure = lane.LastFailure!;
        if (_definition.DeadLetters is null && _definition.Transactional is null)
        {
            // Nowhere to put it: failing the run is the only way not to lose the record silently.
            Fail(failure);
            return false;
        }

        try
        {
            var payload = _definition.PayloadSerializer is { } serialize ? serialize(item.Record) : DeadLetter.SerializePayload(item.Record, null);
            var key = _definition.PartitionKeyText?.Invoke(item.Record);
            buffer.Letters.Add(DeadLetter.Create(payload, failure, Math.Max(1, lane.Attempts), _definition.Name, lane.Name, key, item.Position, context: null, _definition.TimeProvider.GetUtcNow(), _instance.Key, _runId));
            buffer.Positions.Add(item.Position);
            Log.RecordDeadLettered(_definition.Logger, failure, _definition.Name, item.Position, Math.Max(1, lane.Attempts));
            return true;
        }
        catch (Exception e)
        {
            Fail(e);
            return false;
        }
    }

    private async ValueTask TryCommitAsync(bool final)
    {
        if (_definition.Checkpoints is not { } store)
        {
            return;
        }

        if (!final && !CommitDue())
        {
            return;
        }

        // Another worker may be committing; a later batch or the final commit (made once every
        // worker has finished, so never contended) picks this progress up.
        if (Interlocked.CompareExchange(ref _committing, 1, 0) != 0 && !final)
        {
            return;
        }

        try
        {
            var watermark = _tracker.Watermark;
            if (watermark > Interlocked.Read(ref _committed))
            {
                await store.CommitAsync(_instance.Key, SluicePipeline.CheckpointPartition, watermark, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Exchange(ref _committed, watermark);
                Volatile.Write(ref _committedAt, _definition.TimeProvider.GetTimestamp());
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            Volatile.Write(ref _committing, 0);
        }
    }

    /// <summary>
    /// Whether a commit is due after a batch: enough records finished since the last commit, or enough time passed
    /// (<see cref="SluicePipeline{T}.WithCheckpointPacing(int, TimeSpan)"/>).
    /// </summary>
    private bool CommitDue()
    {
        var committed = Interlocked.Read(ref _committed);
        var watermark = _tracker.Watermark;
        if (watermark <= committed)
        {
            return false;
        }

        return watermark - committed >= _definition.CheckpointRecords
            || _definition.TimeProvider.GetElapsedTime(Volatile.Read(ref _committedAt)) >= _definition.CheckpointInterval;
    }

    /// <summary>
    /// Commits the finished prefix of a batch through the transactional sink: its succeeded records, its dead letters and
    /// the checkpoint advance past them, at once. With one worker, batches come in source order and each starts where the
    /// previous one was committed; a batch that stopped short (the run is stopping) commits only the records before the
    /// first one left undone, and any batch after it commits nothing. Nothing is written outside a commit, so whatever is
    /// not committed is simply done again by the next run.
    /// </summary>
    private async ValueTask CommitTransactionallyAsync(ITransactionalBatchSink<T> sink, Lane lane, List<Item> batch, List<long> succeeded, DeadLetterBuffer deadLetters)
    {
        var from = Interlocked.Read(ref _committed);
        if (batch[0].Position != from)
        {
            return;
        }

        var ok = new HashSet<long>(succeeded);
        var letters = new Dictionary<long, DeadLetter>(deadLetters.Letters.Count);
        for (var i = 0; i < deadLetters.Letters.Count; i++)
        {
            letters[deadLetters.Positions[i]] = deadLetters.Letters[i];
        }

        var count = 0;
        while (count < batch.Count && (ok.Contains(batch[count].Position) || letters.ContainsKey(batch[count].Position)))
        {
            count++;
        }

        if (count == 0)
        {
            return;
        }

        var prefix = batch.GetRange(0, count);
        try
        {
            await CommitAsync(sink, prefix, ok, letters).ConfigureAwait(false);
        }
        catch (Exception e) when (count > 1 && !Resilience.TransientFailureClassifier.IsTransient(e))
        {
            // Something in the batch cannot be stored (a constraint, a value the table refuses): commit record by
            // record so that only the records that really fail are dead-lettered.
            foreach (var item in prefix)
            {
                if (!await CommitAloneAsync(sink, lane, item, ok, letters).ConfigureAwait(false))
                {
                    return;
                }
            }

            return;
        }
        catch (Exception e) when (count == 1 && !Resilience.TransientFailureClassifier.IsTransient(e) && ok.Contains(prefix[0].Position))
        {
            await DeadLetterAloneAsync(sink, lane, prefix[0], e, letters).ConfigureAwait(false);
            return;
        }
        catch (Exception e)
        {
            // The database is unreachable (or refuses even a dead letter): stop; nothing of this batch is stored.
            Fail(e);
            return;
        }

        Counted(lane, prefix, ok);
    }

    private async ValueTask<bool> CommitAloneAsync(ITransactionalBatchSink<T> sink, Lane lane, Item item, HashSet<long> ok, Dictionary<long, DeadLetter> letters)
    {
        try
        {
            await CommitAsync(sink, [item], ok, letters).ConfigureAwait(false);
            Counted(lane, [item], ok);
            return true;
        }
        catch (Exception e) when (ok.Contains(item.Position) && !Resilience.TransientFailureClassifier.IsTransient(e))
        {
            return await DeadLetterAloneAsync(sink, lane, item, e, letters).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(e);
            return false;
        }
    }

    private async ValueTask<bool> DeadLetterAloneAsync(ITransactionalBatchSink<T> sink, Lane lane, Item item, Exception failure, Dictionary<long, DeadLetter> letters)
    {
        lane.LastFailure = failure;
        lane.Attempts = 1;
        var buffer = new DeadLetterBuffer();
        if (!TryDeadLetter(lane, item, buffer))
        {
            return false;
        }

        letters[item.Position] = buffer.Letters[0];
        try
        {
            await CommitAsync(sink, [item], ok: [], letters).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(e);
            return false;
        }

        Counted(lane, [item], ok: []);
        return true;
    }

    private async ValueTask CommitAsync(ITransactionalBatchSink<T> sink, List<Item> items, HashSet<long> ok, Dictionary<long, DeadLetter> letters)
    {
        var records = new List<T>(items.Count);
        var positions = new List<long>(items.Count);
        var dead = new List<DeadLetter>();
        foreach (var item in items)
        {
            if (ok.Contains(item.Position))
            {
                records.Add(item.Record);
                positions.Add(item.Position);
            }
            else
            {
                dead.Add(letters[item.Position]);
            }
        }

        // The instance's key, as for every other store: a new input starts from its own checkpoint.
        var commit = new TransactionalBatch<T>
        {
            Pipeline = _instance.Key,
            Partition = SluicePipeline.CheckpointPartition,
            Records = records,
            Positions = positions,
            DeadLetters = dead,
            CheckpointFrom = items[0].Position,
            Checkpoint = items[^1].Position + 1,
        };

        // Not cancelled: the records are finished and their commit completes (or fails) on its own.
        if (_definition.Resilience is { } resilience)
        {
            await resilience.ExecuteAsync(static (state, ct) => state.Sink.CommitAsync(state.Commit, ct), (Sink: sink, Commit: commit), CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            await sink.CommitAsync(commit, CancellationToken.None).ConfigureAwait(false);
        }

        Interlocked.Exchange(ref _committed, commit.Checkpoint);
    }

    private void Counted(Lane lane, List<Item> items, HashSet<long> ok)
    {
        var done = new List<long>(items.Count);
        long succeeded = 0;
        foreach (var item in items)
        {
            done.Add(item.Position);
            if (ok.Contains(item.Position))
            {
                succeeded++;
            }
        }

        lane.Succeeded += succeeded;
        lane.DeadLettered += items.Count - succeeded;
        SluiceTelemetry.RecordsSucceeded.Add(succeeded, _pipelineTag);
        SluiceTelemetry.RecordsDeadLettered.Add(items.Count - succeeded, _pipelineTag);
        _tracker.Complete(CollectionsMarshal.AsSpan(done));
    }

    private void Fail(Exception exception)
    {
        lock (_failureGate)
        {
            _failure ??= ExceptionDispatchInfo.Capture(exception);
        }

        try
        {
            _stop.Cancel();
        }
        catch (AggregateException)
        {
            // A callback registered on the token threw; the run is stopping either way.
        }
    }

    private PipelineReport BuildReport(TimeSpan elapsed)
    {
        var partitions = new PartitionReport[_lanes.Length];
        long succeeded = 0, deadLettered = 0, retried = 0;
        for (var i = 0; i < _lanes.Length; i++)
        {
            var lane = _lanes[i];
            partitions[i] = new PartitionReport { Partition = i, Read = lane.Read, Succeeded = lane.Succeeded, DeadLettered = lane.DeadLettered, Retried = lane.Retried };
            succeeded += lane.Succeeded;
            deadLettered += lane.DeadLettered;
            retried += lane.Retried;
        }

        return new PipelineReport
        {
            PipelineName = _definition.Name,
            Instance = _instance.Key,
            RunId = _runId,
            Read = _read,
            Skipped = _skipped,
            Succeeded = succeeded,
            DeadLettered = deadLettered,
            Retried = retried,
            Elapsed = elapsed,
            Checkpoint = _definition.Checkpoints is null && _definition.Transactional is null ? null : Interlocked.Read(ref _committed),
            Partitions = partitions,
        };
    }

    private readonly record struct Item(T Record, long Position);

    /// <summary>
    /// A batch as the reader filled it: records in an array rented from <see cref="ArrayPool{T}.Shared"/>, their
    /// positions (contiguous from <see cref="First"/> when unkeyed, listed in <see cref="Positions"/> when keyed), and
    /// how many of its records are not finished yet; the arrays go back to the pool when that reaches zero.
    /// </summary>
    private sealed class Chunk
    {
        public T[] Records = [];

        public long[]? Positions;

        public long First;

        public int Count;

        /// <summary>How many records have been taken by workers (shared queue only; guarded by the take lock).</summary>
        public int Taken;

        /// <summary>How many records are not finished yet (changed with <see cref="Interlocked"/>).</summary>
        public int Outstanding;
    }

    /// <summary>The part of a chunk one worker took as its batch.</summary>
    private readonly struct Slice(Chunk chunk, int offset, int count)
    {
        public Chunk Chunk => chunk;

        public int Count => count;

        public ReadOnlyMemory<T> Records => chunk.Records.AsMemory(offset, count);

        public T Record(int index) => chunk.Records[offset + index];

        public long Position(int index) => chunk.Positions is { } positions ? positions[offset + index] : chunk.First + offset + index;

        public Item Item(int index) => new(Record(index), Position(index));

        public void CompleteIn(CompletionTracker tracker)
        {
            if (chunk.Positions is { } positions)
            {
                tracker.Complete(positions.AsSpan(offset, count));
            }
            else
            {
                tracker.Complete(chunk.First + offset, count);
            }
        }

        public void AddPositionsTo(List<long> positions)
        {
            for (var i = 0; i < count; i++)
            {
                positions.Add(Position(i));
            }
        }

        public List<Item> ToItems()
        {
            var items = new List<Item>(count);
            for (var i = 0; i < count; i++)
            {
                items.Add(Item(i));
            }

            return items;
        }
    }

    private sealed class DeadLetterBuffer
    {
        public List<DeadLetter> Letters { get; } = [];

        public List<long> Positions { get; } = [];

        public void Clear()
        {
            Letters.Clear();
            Positions.Clear();
        }
    }

    /// <summary>A worker's counters and the state of its current attempt; only that worker touches it while running.</summary>
    private sealed class Lane(int index)
    {
        public int Index { get; } = index;

        public string Name { get; } = index.ToString(CultureInfo.InvariantCulture);

        public long Read { get; set; }

        public long Succeeded { get; set; }

        public long DeadLettered { get; set; }

        public long Retried { get; set; }

        public T Record { get; set; } = default!;

        /// <summary>Gets or sets the records of the current batch attempt.</summary>
        public ReadOnlyMemory<T> Batch { get; set; }

        /// <summary>Gets or sets the same records as an array of their own, for the handler that may keep its batch.</summary>
        public IReadOnlyList<T>? BatchList { get; set; }

        public long Position { get; set; }

        public int Attempts { get; set; }

        public Exception? LastFailure { get; set; }

        /// <summary>Gets the positions finished in the current batch; reused for every batch of this lane.</summary>
        public List<long> Done { get; } = [];

        /// <summary>Gets the dead letters of the current batch; reused for every batch of this lane.</summary>
        public DeadLetterBuffer DeadLetters { get; } = new();
    }
}
