using System.Collections.Concurrent;
using Sluice.Pipeline;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Pipeline;

/// <summary>
/// Batches handed from the reader to the workers as units: the borrowing batch handler, the handler that may keep its
/// batch, the hand-over of a partly filled batch when an asynchronous source waits, and the range-based completion tracker.
/// </summary>
public class BatchHandOverTests
{
    [Fact]
    public async Task A_borrowing_handler_sees_every_record_once_in_source_order_in_batches_no_larger_than_the_size()
    {
        var seen = new List<string>();
        var sizes = new List<int>();

        var report = await SluicePipeline.From(Enumerable.Range(0, 1_005).Select(i => "r" + i))
            .WithBatchSize(100)
            .RunBorrowedAsync((batch, _) =>
            {
                sizes.Add(batch.Length);
                seen.AddRange(batch.Span.ToArray());
                return ValueTask.CompletedTask;
            });

        Assert.Equal(Enumerable.Range(0, 1_005).Select(i => "r" + i), seen);
        Assert.All(sizes, size => Assert.InRange(size, 1, 100));
        Assert.Equal(1_005, report.Succeeded);
        Assert.Equal(1_005, report.Read);
    }

    [Fact]
    public async Task A_handler_that_keeps_its_lists_still_has_every_record_after_the_run()
    {
        // The list handler's contract: the list is its own. Batch arrays are pooled and cleared for reuse, so a list
        // that shared them would show other records or nulls once the run is over.
        var kept = new List<IReadOnlyList<string>>();

        await SluicePipeline.From(Enumerable.Range(0, 1_000).Select(i => "r" + i))
            .WithBatchSize(64)
            .RunAsync((IReadOnlyList<string> batch, CancellationToken _) =>
            {
                kept.Add(batch);
                return ValueTask.CompletedTask;
            });

        Assert.Equal(Enumerable.Range(0, 1_000).Select(i => "r" + i), kept.SelectMany(batch => batch));
    }

    [Fact]
    public async Task A_borrowing_handler_whose_batch_fails_has_only_the_poison_records_dead_lettered()
    {
        var sink = new RecordingDeadLetterSink();
        var succeeded = new ConcurrentBag<int>();

        var report = await SluicePipeline.From(Enumerable.Range(0, 500))
            .WithBatchSize(50)
            .WithParallelism(3)
            .WithDeadLetters(sink)
            .RunBorrowedAsync((batch, _) =>
            {
                foreach (var record in batch.Span)
                {
                    if (record % 100 == 7)
                    {
                        throw new FormatException("bad row " + record);
                    }
                }

                foreach (var record in batch.Span)
                {
                    succeeded.Add(record);
                }

                return ValueTask.CompletedTask;
            });

        Assert.Equal([7, 107, 207, 307, 407], sink.Letters.Select(letter => letter.Position!.Value).Order());
        Assert.Equal(Enumerable.Range(0, 500).Where(i => i % 100 != 7), succeeded.Order());
        Assert.Equal(495, report.Succeeded);
        Assert.Equal(5, report.DeadLettered);
    }

    [Fact]
    public async Task A_borrowing_handler_keeps_each_key_in_source_order_when_partitioned()
    {
        var perKey = new ConcurrentDictionary<int, List<int>>();

        var report = await SluicePipeline.From(Enumerable.Range(0, 3_000))
            .WithBatchSize(40)
            .WithParallelism(4)
            .PartitionBy(record => record % 7)
            .RunBorrowedAsync(async (batch, token) =>
            {
                var records = batch.ToArray();
                await Task.Yield();
                foreach (var record in records)
                {
                    var list = perKey.GetOrAdd(record % 7, _ => []);
                    lock (list)
                    {
                        list.Add(record);
                    }
                }
            });

        Assert.Equal(3_000, report.Succeeded);
        for (var key = 0; key < 7; key++)
        {
            Assert.Equal(Enumerable.Range(0, 3_000).Where(record => record % 7 == key), perKey[key]);
        }
    }

    [Fact]
    public async Task An_asynchronous_source_that_waits_hands_over_the_records_it_has_before_the_batch_is_full()
    {
        // The source yields three records and then waits until the handler has seen them: a reader that held them back
        // until a batch of 100 was full would never let the run go on.
        var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new ConcurrentQueue<int>();

        var report = await SluicePipeline.From(WaitingSource(handled))
            .WithBatchSize(100)
            .RunBorrowedAsync((batch, _) =>
            {
                foreach (var record in batch.Span)
                {
                    seen.Enqueue(record);
                }

                if (seen.Count >= 3)
                {
                    handled.TrySetResult();
                }

                return ValueTask.CompletedTask;
            }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([0, 1, 2, 3, 4], seen);
        Assert.Equal(5, report.Succeeded);
    }

    [Fact]
    public async Task RunBorrowedAsync_refuses_a_null_handler_by_name()
    {
        var error = await Assert.ThrowsAsync<ArgumentNullException>(
            () => SluicePipeline.From(new[] { 1 }).RunBorrowedAsync(null!));
        Assert.Equal("handler", error.ParamName);
    }

    [Fact]
    public void The_tracker_climbs_over_ranges_finished_out_of_order_and_never_past_a_gap()
    {
        var tracker = new CompletionTracker(10);

        tracker.Complete(30, 10);
        Assert.Equal(10, tracker.Watermark);
        Assert.Equal(10, tracker.DoneAhead);

        tracker.Complete([20, 21, 23, 24, 25]);
        Assert.Equal(10, tracker.Watermark);
        Assert.Equal(15, tracker.DoneAhead);

        tracker.Complete(10, 10);
        Assert.Equal(22, tracker.Watermark);

        tracker.Complete([26, 22, 27, 28, 29]);
        Assert.Equal(40, tracker.Watermark);
        Assert.Equal(0, tracker.DoneAhead);
    }

    private static async IAsyncEnumerable<int> WaitingSource(TaskCompletionSource handled)
    {
        for (var i = 0; i < 3; i++)
        {
            yield return i;
        }

        await handled.Task.WaitAsync(TimeSpan.FromSeconds(20));
        yield return 3;
        yield return 4;
    }

    [Fact]
    public async Task A_run_stopped_while_the_reader_hands_over_and_the_source_waits_reports_the_cancellation()
    {
        // One batch keeps the worker busy, one fills the channel, a third holds one record in the reader, and the source
        // then waits for its next record: the reader is handing over with the source's MoveNextAsync pending.
        var sourceWaits = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();
        var run = SluicePipeline.From(WaitingSource(21, sourceWaits))
            .WithBatchSize(10)
            .RunAsync(async (int _, CancellationToken ct) => await Task.Delay(Timeout.Infinite, ct), cancel.Token);

        await sourceWaits.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(100);
        await cancel.CancelAsync();

        // Not the iterator's refusal to be disposed while it is still reading (NotSupportedException).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    private static async IAsyncEnumerable<int> WaitingSource(int count, TaskCompletionSource waiting, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }

        waiting.TrySetResult();

        // Like a client finishing a round trip to its server, it notices the stop only after a while.
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(20, CancellationToken.None);
        }

        await Task.Delay(300, CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        yield return count;
    }
}
