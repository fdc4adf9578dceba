using System.Collections.Concurrent;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Pipeline;

/// <summary>How workers that share one queue split it, and which per-batch buffers they may reuse.</summary>
public class SchedulingTests
{
    [Fact]
    public async Task Workers_sharing_a_queue_take_at_most_an_even_share_of_it_so_none_is_left_with_a_whole_batch()
    {
        // Every batch waits until the whole source is queued (300 records fit in the queue of 4 × 100), so the
        // workers choose their batches from a full queue: each may take at most a quarter of what is queued (75),
        // not a whole batch of 100 that one worker would then run alone while the others are idle.
        var exhausted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sizes = new ConcurrentQueue<int>();
        var seen = new ConcurrentDictionary<int, int>();

        var report = await SluicePipeline.From(Source(300, exhausted))
            .WithParallelism(4)
            .WithBatchSize(100)
            .RunAsync(async (IReadOnlyList<int> batch, CancellationToken token) =>
            {
                await exhausted.Task.WaitAsync(TimeSpan.FromSeconds(30), token);
                sizes.Enqueue(batch.Count);
                foreach (var record in batch)
                {
                    seen.AddOrUpdate(record, 1, (_, n) => n + 1);
                }
            });

        Assert.Equal(300, report.Succeeded);
        Assert.Equal(Enumerable.Range(0, 300), seen.Keys.Order());
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        Assert.All(sizes, size => Assert.InRange(size, 1, 75));
    }

    [Fact]
    public async Task With_one_worker_the_whole_queue_up_to_the_batch_size_is_taken_at_once()
    {
        // The first batch waits until the whole source is queued; the one worker then takes everything left in one
        // batch: an even share of one is all of it.
        var exhausted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sizes = new ConcurrentQueue<int>();

        await SluicePipeline.From(Source(300, exhausted))
            .WithBatchSize(300)
            .RunAsync(async (IReadOnlyList<int> batch, CancellationToken token) =>
            {
                await exhausted.Task.WaitAsync(TimeSpan.FromSeconds(30), token);
                sizes.Enqueue(batch.Count);
            });

        Assert.Equal(300, sizes.Sum());
        Assert.InRange(sizes.Count, 1, 2);
    }

    [Fact]
    public async Task A_dead_letter_sink_may_keep_the_list_it_was_given()
    {
        var sink = new KeepingDeadLetterSink();

        await SluicePipeline.From(Enumerable.Range(0, 40))
            .WithBatchSize(10)
            .WithDeadLetters(sink)
            .RunAsync((IReadOnlyList<int> batch, CancellationToken _) =>
                batch.Any(record => record % 10 == 3) ? throw new FormatException("bad row") : ValueTask.CompletedTask);

        // Each write got its own list: the lane's buffer is reused for the next batch, the sink's lists are not.
        Assert.Equal(4, sink.Lists.Count);
        Assert.Equal([3, 13, 23, 33], sink.Lists.SelectMany(list => list).Select(letter => letter.Position!.Value).Order());
    }

    private static IEnumerable<int> Source(int count, TaskCompletionSource exhausted)
    {
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }

        exhausted.TrySetResult();
    }

    private sealed class KeepingDeadLetterSink : IDeadLetterSink
    {
        public ConcurrentQueue<IReadOnlyList<DeadLetter>> Lists { get; } = new();

        public ValueTask WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default)
        {
            Lists.Enqueue(deadLetters);
            return ValueTask.CompletedTask;
        }
    }
}
