using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Sluice.Telemetry;

namespace Sluice.Pipeline;

/// <summary>
/// One execution of a pipeline: a reader task feeding bounded channels, one worker per partition, and the
/// bookkeeping that makes every record end as succeeded or dead-lettered and checkpoints only finished prefixes.
/// </summary>
internal sealed class PipelineRun<T>
{
    private readonly PipelineDefinition<T> _definition;
    private readonly KeyValuePair<string, object?> _pipelineTag;
    private readonly Lane[] _lanes;
    private readonly Channel<Item>[] _channels;
    private readonly object _failureGate = new();
    private CancellationTokenSource _stop = null!;
    private CompletionTracker _tracker = null!;
    private ExceptionDispatchInfo? _failure;
    private int _committing;
    private long _start;
    private long _committed;
    private long _read;
    private long _skipped;
    private bool _sourceExhausted;

    public PipelineRun(PipelineDefinition<T> definition)
    {
        _definition = definition;
        _pipelineTag = SluiceTelemetry.Pipeline(definition.Name);
        _lanes = new Lane[definition.Parallelism];
        for (var i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = new Lane(i);
        }

        // Keyed: one channel per partition keeps each key in order. Unkeyed: one shared channel lets
        // an idle worker pick up the next records while another is stuck on a slow one.
        var keyed = definition.PartitionHash is not null;
        _channels = new Channel<Item>[keyed ? definition.Parallelism : 1];
        var capacity = keyed ? definition.BatchSize : (int)Math.Min(int.MaxValue, (long)definition.BatchSize * definition.Parallelism);
        for (var i = 0; i < _channels.Length; i++)
        {
            _channels[i] = Channel.CreateBounded<Item>(new BoundedChannelOptions(capacity)
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
        var started = _definition.TimeProvider.GetTimestamp();
        using var activity = SluiceTelemetry.ActivitySource.StartActivity("sluice.pipeline.run");
        activity?.SetTag(SluiceTelemetry.PipelineTag, _definition.Name);

        if (_definition.Checkpoints is { } store)
        {
            _start = await store.LoadAsync(_definition.Name, SluicePipeline.CheckpointPartition, cancellationToken).ConfigureAwait(false) ?? 0;
            if (_start > 0)
            {
                Log.PipelineResuming(_definition.Logger, _definition.Name, _start);
            }
        }

        _committed = _start;
        _tracker = new CompletionTracker(_start);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stop = stop;

        var tasks = new Task[_lanes.Length + 1];
        tasks[0] = Task.Run(() => ReadSourceAsync(stop.Token), CancellationToken.None);
        for (var i = 0; i < _lanes.Length; i++)
        {
            var lane = _lanes[i];
            tasks[i + 1] = Task.Run(() => WorkAsync(lane, stop.Token), CancellationToken.None);
        }

        // Reader and workers never throw: failures are recorded and stop the run.
        await Task.WhenAll(tasks).ConfigureAwait(false);
        await TryCommitAsync(final: true).ConfigureAwait(false);

        var report = BuildReport(_definition.TimeProvider.GetElapsedTime(started));
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

        Log.PipelineCompleted(_definition.Logger, _definition.Name, report.Read, report.Succeeded, report.DeadLettered, report.Retried, report.Elapsed);
        return report;
    }

    private async Task ReadSourceAsync(CancellationToken token)
    {
        try
        {
            long position = 0;
            if (_definition.AsyncSource is { } asyncSource)
            {
                await foreach (var record in asyncSource.WithCancellation(token).ConfigureAwait(false))
                {
                    await DispatchAsync(record, position++, token).ConfigureAwait(false);
                }
            }
            else
            {
                foreach (var record in _definition.SyncSource!)
                {
                    token.ThrowIfCancellationRequested();
                    await DispatchAsync(record, position++, token).ConfigureAwait(false);
                }
            }

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

    private async ValueTask DispatchAsync(T record, long position, CancellationToken token)
    {
        if (position < _start)
        {
            _skipped++;
            return;
        }

        var channel = _definition.PartitionHash is { } hash
            ? _channels[(int)((uint)hash(record) % (uint)_channels.Length)]
            : _channels[0];
        var item = new Item(record, position);
        if (!channel.Writer.TryWrite(item))
        {
            await channel.Writer.WriteAsync(item, token).ConfigureAwait(false);
        }

        _read++;
        SluiceTelemetry.RecordsRead.Add(1, _pipelineTag);
    }

    private async Task WorkAsync(Lane lane, CancellationToken token)
    {
        var reader = _channels.Length == 1 ? _channels[0].Reader : _channels[lane.Index].Reader;
        var batch = new List<Item>(Math.Min(_definition.BatchSize, 1024));
        try
        {
            while (!token.IsCancellationRequested && await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (batch.Count < _definition.BatchSize && reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                if (batch.Count > 0)
                {
                    lane.Read += batch.Count;
                    await ProcessBatchAsync(lane, batch, token).ConfigureAwait(false);
                    batch.Clear();
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

    private async ValueTask ProcessBatchAsync(Lane lane, List<Item> batch, CancellationToken token)
    {
        var started = _definition.TimeProvider.GetTimestamp();
        using var activity = SluiceTelemetry.ActivitySource.StartActivity("sluice.batch");
        activity?.SetTag(SluiceTelemetry.PipelineTag, _definition.Name);
        activity?.SetTag(SluiceTelemetry.PartitionTag, lane.Index);

        var done = new List<long>(batch.Count);
        var deadLetters = new DeadLetterBuffer();
        long succeeded;
        if (_definition.BatchHandler is null)
        {
            succeeded = await ProcessOneByOneAsync(lane, batch, done, deadLetters, token).ConfigureAwait(false);
        }
        else
        {
            var records = new T[batch.Count];
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = batch[i].Record;
            }

            var outcome = await AttemptBatchAsync(lane, records, batch[0].Position, token).ConfigureAwait(false);
            succeeded = 0;
            if (outcome == Outcome.Succeeded)
            {
                foreach (var item in batch)
                {
                    done.Add(item.Position);
                }

                succeeded = batch.Count;
            }
            else if (outcome == Outcome.Failed && batch.Count == 1)
            {
                // Already isolated: running it alone again would only repeat the failure.
                TryDeadLetter(lane, batch[0], deadLetters);
            }
            else if (outcome == Outcome.Failed)
            {
                // Isolate the poison records: only the records that fail on their own are dead-lettered.
                succeeded = await ProcessOneByOneAsync(lane, batch, done, deadLetters, token).ConfigureAwait(false);
            }
        }

        if (deadLetters.Letters.Count > 0)
        {
            try
            {
                // Not cancelled: the records are finished and must be stored before they count as done.
                await _definition.DeadLetters!.WriteAsync(deadLetters.Letters, CancellationToken.None).ConfigureAwait(false);
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
        _tracker.Complete(done);
        if (_definition.Completed is { } completed && done.Count > 0)
        {
            await NotifyCompletedAsync(completed, batch, done).ConfigureAwait(false);
        }

        SluiceTelemetry.BatchDuration.Record(_definition.TimeProvider.GetElapsedTime(started).TotalSeconds, _pipelineTag);
        await TryCommitAsync(final: false).ConfigureAwait(false);
        if (_definition.Checkpoints is not null)
        {
            SluiceTelemetry.CheckpointLag.Record(_tracker.Watermark - Interlocked.Read(ref _committed) + _tracker.DoneAhead, _pipelineTag);
        }
    }

    private async ValueTask NotifyCompletedAsync(Func<IReadOnlyList<T>, CancellationToken, ValueTask> completed, List<Item> batch, List<long> done)
    {
        var finished = new HashSet<long>(done);
        var records = new List<T>(done.Count);
        foreach (var item in batch)
        {
            if (finished.Contains(item.Position))
            {
                records.Add(item.Record);
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

    private async ValueTask<long> ProcessOneByOneAsync(Lane lane, List<Item> batch, List<long> done, DeadLetterBuffer deadLetters, CancellationToken token)
    {
        long succeeded = 0;
        foreach (var item in batch)
        {
            if (token.IsCancellationRequested)
            {
                break;
            }

            var outcome = _definition.BatchHandler is null
                ? await AttemptRecordAsync(lane, item, token).ConfigureAwait(false)
                : await AttemptBatchAsync(lane, [item.Record], item.Position, token).ConfigureAwait(false);
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

    private async ValueTask<Outcome> AttemptBatchAsync(Lane lane, T[] records, long firstPosition, CancellationToken token)
    {
        lane.Batch = records;
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
            lane.Batch = null;
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
            attempt = _definition.BatchHandler!(lane.Batch!, token);
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
        if (_definition.DeadLetters is null)
        {
            // Nowhere to put it: failing the run is the only way not to lose the record silently.
            Fail(failure);
            return false;
        }

        try
        {
            var payload = _definition.PayloadSerializer is { } serialize ? serialize(item.Record) : DeadLetter.SerializePayload(item.Record, null);
            var key = _definition.PartitionKeyText?.Invoke(item.Record);
            buffer.Letters.Add(DeadLetter.Create(payload, failure, Math.Max(1, lane.Attempts), _definition.Name, lane.Name, key, item.Position, context: null, _definition.TimeProvider.GetUtcNow()));
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
                await store.CommitAsync(_definition.Name, SluicePipeline.CheckpointPartition, watermark, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Exchange(ref _committed, watermark);
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
            Read = _read,
            Skipped = _skipped,
            Succeeded = succeeded,
            DeadLettered = deadLettered,
            Retried = retried,
            Elapsed = elapsed,
            Checkpoint = _definition.Checkpoints is null ? null : Interlocked.Read(ref _committed),
            Partitions = partitions,
        };
    }

    private readonly record struct Item(T Record, long Position);

    private sealed class DeadLetterBuffer
    {
        public List<DeadLetter> Letters { get; } = [];

        public List<long> Positions { get; } = [];
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

        public T[]? Batch { get; set; }

        public long Position { get; set; }

        public int Attempts { get; set; }

        public Exception? LastFailure { get; set; }
    }
}
