using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Pipeline;

public class PipelineTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static async IAsyncEnumerable<int> AsyncRange(int count, int? throwAt = null)
    {
        for (var i = 0; i < count; i++)
        {
            if (i == throwAt)
            {
                throw new InvalidDataException("source broke");
            }

            await Task.Yield();
            yield return i;
        }
    }

    [Fact]
    public async Task Every_record_is_handled_once_and_reported()
    {
        var seen = new ConcurrentDictionary<int, int>();
        var report = await SluicePipeline.From(Enumerable.Range(0, 1000))
            .WithName("all-good")
            .WithParallelism(4)
            .WithBatchSize(16)
            .RunAsync((record, _) =>
            {
                seen.AddOrUpdate(record, 1, (_, count) => count + 1);
                return ValueTask.CompletedTask;
            });

        Assert.Equal(1000, seen.Count);
        Assert.All(seen.Values, count => Assert.Equal(1, count));
        Assert.Equal(1000, report.Read);
        Assert.Equal(1000, report.Succeeded);
        Assert.Equal(0, report.DeadLettered);
        Assert.Equal("all-good", report.PipelineName);
        Assert.Equal(4, report.Partitions.Count);
        Assert.Equal(1000, report.Partitions.Sum(p => p.Succeeded));
        Assert.Equal(1000, report.Partitions.Sum(p => p.Read));
        Assert.Null(report.Checkpoint);
    }

    [Fact]
    public async Task Bounded_channels_stop_the_reader_while_the_handler_is_busy()
    {
        const int batchSize = 10;
        var pulled = 0;
        var readerFilledTheChannel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IEnumerable<int> Source()
        {
            for (var i = 0; i < 100_000; i++)
            {
                // At least one record in the worker, a full channel and one record waiting to be written.
                if (Interlocked.Increment(ref pulled) == batchSize + 2)
                {
                    readerFilledTheChannel.SetResult();
                }

                yield return i;
            }
        }

        var run = SluicePipeline.From(Source()).WithBatchSize(batchSize)
            .RunAsync(async (record, _) => await release.Task);

        await readerFilledTheChannel.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // Give an unbounded reader every chance to run ahead; a bounded one stays within a worker's batch, a full
        // channel (one batch with one worker) and the batch the reader filled and is waiting to hand over.
        await Task.Delay(100);
        Assert.InRange(Volatile.Read(ref pulled), batchSize + 2, 3 * batchSize);

        release.SetResult();
        var report = await run;
        Assert.Equal(100_000, report.Succeeded);
    }

    [Fact]
    public async Task Same_key_records_run_in_order_one_at_a_time_under_parallelism()
    {
        var order = new ConcurrentDictionary<int, List<int>>();
        var inFlight = new ConcurrentDictionary<int, int>();
        var overlaps = 0;
        var records = Enumerable.Range(0, 3000).Select(i => (Key: i % 13, Sequence: i));

        var report = await SluicePipeline.From(records)
            .WithParallelism(4)
            .WithBatchSize(7)
            .PartitionBy(r => r.Key)
            .RunAsync(async (record, _) =>
            {
                if (inFlight.AddOrUpdate(record.Key, 1, (_, n) => n + 1) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                await Task.Yield();
                order.GetOrAdd(record.Key, _ => []).Add(record.Sequence);
                inFlight.AddOrUpdate(record.Key, 0, (_, n) => n - 1);
            });

        Assert.Equal(0, overlaps);
        Assert.Equal(13, order.Count);
        Assert.All(order.Values, sequences => Assert.Equal(sequences.Order(), sequences));
        Assert.Equal(3000, order.Values.Sum(s => s.Count));
        Assert.Equal(3000, report.Succeeded);
    }

    [Fact]
    public async Task Different_keys_run_in_parallel()
    {
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;

        // Int keys hash to themselves, so keys 0 and 1 land on different workers.
        var report = await SluicePipeline.From(new[] { 0, 1 })
            .WithParallelism(2)
            .PartitionBy(k => k)
            .RunAsync(async (int _, CancellationToken _) =>
            {
                if (Interlocked.Increment(ref started) == 2)
                {
                    bothStarted.SetResult();
                }

                // Guard against a deadlock if the records ran one after the other; not a timing assertion.
                await bothStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));
            });

        Assert.Equal(2, report.Succeeded);
    }

    [Fact]
    public async Task A_failing_record_without_a_dead_letter_sink_fails_the_run_and_checkpoints_only_what_finished()
    {
        using var store = new FileCheckpointStore(_temp.Path);
        var handled = new List<int>();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SluicePipeline.From(Enumerable.Range(0, 100))
            .WithName("fails")
            .WithBatchSize(10)
            .WithCheckpoints(store)
            .RunAsync((record, _) =>
            {
                if (record == 42)
                {
                    throw new InvalidOperationException("poison 42");
                }

                handled.Add(record);
                return ValueTask.CompletedTask;
            }));

        Assert.Equal("poison 42", error.Message);
        Assert.Equal(Enumerable.Range(0, 42), handled);
        Assert.Equal(42, await store.LoadAsync("fails", SluicePipeline.CheckpointPartition));
    }

    [Fact]
    public async Task Permanent_failures_are_dead_lettered_with_their_context_and_not_retried()
    {
        var sink = new RecordingDeadLetterSink();
        var attempts = new ConcurrentDictionary<int, int>();
        var report = await SluicePipeline.From(Enumerable.Range(0, 50))
            .WithName("orders")
            .WithParallelism(2)
            .PartitionBy(i => i % 2)
            .WithResilience(Fast.Resilience())
            .WithDeadLetters(sink)
            .RunAsync((record, _) =>
            {
                attempts.AddOrUpdate(record, 1, (_, n) => n + 1);
                return record % 10 == 3 ? throw new ArgumentException("invalid " + record) : ValueTask.CompletedTask;
            });

        Assert.Equal([3, 13, 23, 33, 43], sink.Letters.Select(d => (int)d.Position!.Value).Order());
        Assert.All(sink.Letters, d =>
        {
            Assert.Equal("orders", d.Pipeline);
            Assert.Equal(typeof(ArgumentException).FullName, d.ErrorType);
            Assert.Equal(1, d.Attempts);
            Assert.Equal("1", d.Key);
            Assert.Equal("1", d.Partition);
            Assert.Equal(d.Position!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), d.Payload);
        });
        Assert.All(attempts.Values, n => Assert.Equal(1, n));
        Assert.Equal(45, report.Succeeded);
        Assert.Equal(5, report.DeadLettered);
        Assert.Equal(0, report.Retried);
    }

    [Fact]
    public async Task Dead_letters_are_time_stamped_and_the_run_timed_by_the_pipeline_clock()
    {
        var start = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        var sink = new RecordingDeadLetterSink();
        var report = await SluicePipeline.From(Enumerable.Range(0, 4))
            .WithDeadLetters(sink)
            .WithTimeProvider(clock)
            .RunAsync((record, _) =>
            {
                // Each record takes a minute of the fake clock; the odd ones fail for good.
                clock.Advance(TimeSpan.FromMinutes(1));
                return record % 2 == 1 ? throw new FormatException("bad " + record) : ValueTask.CompletedTask;
            });

        Assert.Equal([start.AddMinutes(2), start.AddMinutes(4)], sink.Letters.OrderBy(d => d.Position).Select(d => d.Timestamp));
        Assert.Equal(TimeSpan.FromMinutes(4), report.Elapsed);
    }

    [Fact]
    public async Task A_source_failure_fails_the_run_after_checkpointing_what_finished()
    {
        using var store = new FileCheckpointStore(_temp.Path);
        var handled = new ConcurrentBag<int>();
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => SluicePipeline.From(AsyncRange(100, throwAt: 10))
            .WithName("broken-source")
            .WithCheckpoints(store)
            .RunAsync((record, _) => { handled.Add(record); return ValueTask.CompletedTask; }));

        Assert.Equal("source broke", error.Message);

        // Records already queued when the source broke may or may not have run; the checkpoint says exactly which did.
        var checkpoint = await store.LoadAsync("broken-source", SluicePipeline.CheckpointPartition) ?? 0;
        Assert.InRange(checkpoint, 0, 10);
        Assert.Equal(Enumerable.Range(0, (int)checkpoint), handled.Order());
    }

    [Fact]
    public async Task A_dead_letter_sink_that_cannot_write_fails_the_run_and_the_record_stays_unfinished()
    {
        using var store = new FileCheckpointStore(_temp.Path);
        var sink = new RecordingDeadLetterSink { FailWith = new IOException("disk full") };
        await Assert.ThrowsAsync<IOException>(() => SluicePipeline.From(Enumerable.Range(0, 20))
            .WithName("sink-down")
            .WithBatchSize(5)
            .WithDeadLetters(sink)
            .WithCheckpoints(store)
            .RunAsync((record, _) => record == 7 ? throw new FormatException() : ValueTask.CompletedTask));

        // Records 0-6 succeeded; 7 could not be stored anywhere, so the checkpoint stops right before it.
        Assert.Equal(7, await store.LoadAsync("sink-down", SluicePipeline.CheckpointPartition));
    }

    [Fact]
    public async Task A_failed_batch_is_split_so_only_the_poison_records_are_dead_lettered()
    {
        var sink = new RecordingDeadLetterSink();
        var stored = new ConcurrentBag<int>();
        var calls = new ConcurrentQueue<int[]>();
        var report = await SluicePipeline.From(Enumerable.Range(0, 30))
            .WithBatchSize(10)
            .WithDeadLetters(sink)
            .RunAsync((IReadOnlyList<int> batch, CancellationToken _) =>
            {
                calls.Enqueue(batch.ToArray());
                if (batch.Contains(15))
                {
                    throw new FormatException("bad row 15");
                }

                foreach (var record in batch)
                {
                    stored.Add(record);
                }

                return ValueTask.CompletedTask;
            });

        Assert.Equal(Enumerable.Range(0, 30).Where(i => i != 15), stored.Order());
        Assert.Equal(15, Assert.Single(sink.Letters).Position);
        Assert.Equal(29, report.Succeeded);
        Assert.Equal(1, report.DeadLettered);
        var failedBatch = calls.First(call => call.Contains(15));
        Assert.InRange(failedBatch.Length, 1, 10);
        if (failedBatch.Length > 1)
        {
            Assert.All(failedBatch, record => Assert.Contains(calls, call => call.Length == 1 && call[0] == record));
        }
    }

    [Fact]
    public async Task Batches_are_retried_through_the_resilience_pipeline()
    {
        // One record, so one batch: a worker takes what the reader has written so far, and on a loaded machine four
        // records can arrive as two batches, which would make the call count depend on timing.
        var calls = 0;
        var report = await SluicePipeline.From(Enumerable.Range(0, 1))
            .WithBatchSize(4)
            .WithResilience(Fast.Resilience())
            .RunAsync((IReadOnlyList<int> batch, CancellationToken _) => ++calls < 3 ? throw new TimeoutException() : ValueTask.CompletedTask);

        Assert.Equal(3, calls);
        Assert.Equal(2, report.Retried);
        Assert.Equal(1, report.Succeeded);
    }

    [Fact]
    public async Task Cancellation_stops_promptly_checkpoints_finished_work_and_a_rerun_resumes_after_it()
    {
        const int count = 10_000;
        using var store = new FileCheckpointStore(_temp.Path);
        using var cts = new CancellationTokenSource();
        var firstRun = new ConcurrentBag<int>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SluicePipeline.From(Enumerable.Range(0, count))
            .WithName("cancel-me")
            .WithParallelism(3)
            .WithBatchSize(8)
            .WithCheckpoints(store)
            .RunAsync(async (record, token) =>
            {
                if (record == 500)
                {
                    await cts.CancelAsync();
                    await Task.Delay(Timeout.InfiniteTimeSpan, token);
                }

                firstRun.Add(record);
            }, cts.Token));

        var checkpoint = await store.LoadAsync("cancel-me", SluicePipeline.CheckpointPartition) ?? 0;
        Assert.InRange(checkpoint, 0, 500);
        Assert.DoesNotContain(500, firstRun);
        Assert.True(firstRun.Count < count / 2, $"{firstRun.Count} records ran after cancellation was requested");
        Assert.All(Enumerable.Range(0, (int)checkpoint), position => Assert.Contains(position, firstRun));

        var secondRun = new ConcurrentBag<int>();
        var report = await SluicePipeline.From(Enumerable.Range(0, count))
            .WithName("cancel-me")
            .WithParallelism(3)
            .WithCheckpoints(store)
            .RunAsync((record, _) => { secondRun.Add(record); return ValueTask.CompletedTask; });

        Assert.Equal(checkpoint, report.Skipped);
        Assert.Equal(Enumerable.Range((int)checkpoint, count - (int)checkpoint), secondRun.Order());
        Assert.Equal(count, report.Checkpoint);
        Assert.Equal(Enumerable.Range(0, count), firstRun.Concat(secondRun).Distinct().Order());
    }

    [Fact]
    public async Task A_cancellation_after_the_last_record_finished_still_returns_the_report()
    {
        using var cts = new CancellationTokenSource();
        var report = await SluicePipeline.From(Enumerable.Range(0, 10))
            .RunAsync((record, _) =>
            {
                if (record == 9)
                {
                    cts.Cancel();
                }

                return ValueTask.CompletedTask;
            }, cts.Token);

        Assert.Equal(10, report.Succeeded);
    }

    [Fact]
    public async Task A_stored_checkpoint_skips_the_records_before_it()
    {
        using var store = new FileCheckpointStore(_temp.Path);
        await store.CommitAsync("resume", SluicePipeline.CheckpointPartition, 30);
        var handled = new ConcurrentBag<int>();
        var report = await SluicePipeline.From(AsyncRange(100))
            .WithName("resume")
            .WithCheckpoints(store)
            .RunAsync((record, _) => { handled.Add(record); return ValueTask.CompletedTask; });

        Assert.Equal(Enumerable.Range(30, 70), handled.Order());
        Assert.Equal(30, report.Skipped);
        Assert.Equal(70, report.Read);
        Assert.Equal(100, await store.LoadAsync("resume", SluicePipeline.CheckpointPartition));
    }

    [Fact]
    public async Task A_lambda_that_fits_both_handlers_runs_once_per_record()
    {
        var calls = 0;
        var report = await SluicePipeline.From(Enumerable.Range(0, 10)).WithBatchSize(5)
            .RunAsync((_, _) => { Interlocked.Increment(ref calls); return ValueTask.CompletedTask; });
        Assert.Equal(10, calls);
        Assert.Equal(10, report.Succeeded);
    }

    [Fact]
    public async Task Builder_arguments_are_validated_by_name_with_allowed_ranges()
    {
        var pipeline = SluicePipeline.From(new[] { 1 });
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => SluicePipeline.From((IEnumerable<int>)null!)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => SluicePipeline.From((IAsyncEnumerable<int>)null!)).ParamName);
        var size = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.WithBatchSize(0));
        Assert.Equal("size", size.ParamName);
        Assert.Contains("between 1 and", size.Message, StringComparison.Ordinal);
        Assert.Equal("degreeOfParallelism", Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.WithParallelism(SluicePipeline.MaxParallelism + 1)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => pipeline.WithName(" ")).ParamName);
        Assert.Equal("keySelector", Assert.Throws<ArgumentNullException>(() => pipeline.PartitionBy<int>(null!)).ParamName);
        Assert.Equal("pipeline", Assert.Throws<ArgumentNullException>(() => pipeline.WithResilience(null!)).ParamName);
        Assert.Equal("sink", Assert.Throws<ArgumentNullException>(() => pipeline.WithDeadLetters(null!)).ParamName);
        Assert.Equal("store", Assert.Throws<ArgumentNullException>(() => pipeline.WithCheckpoints(null!)).ParamName);
        Assert.Equal("logger", Assert.Throws<ArgumentNullException>(() => pipeline.WithLogger(null!)).ParamName);
        Assert.Equal("timeProvider", Assert.Throws<ArgumentNullException>(() => pipeline.WithTimeProvider(null!)).ParamName);
        Assert.Equal("handler", (await Assert.ThrowsAsync<ArgumentNullException>(() => pipeline.RunAsync((Func<int, CancellationToken, ValueTask>)null!))).ParamName);

        using var store = new FileCheckpointStore(_temp.Path);
        var unnamed = await Assert.ThrowsAsync<InvalidOperationException>(() => SluicePipeline.From(new[] { 1 }).WithCheckpoints(store).RunAsync((int _, CancellationToken _) => ValueTask.CompletedTask));
        Assert.Contains("WithName", unnamed.Message, StringComparison.Ordinal);
    }
}
