using System.Collections.Concurrent;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Pipeline;

/// <summary>
/// OnRecordsCompleted: a source that acknowledges records itself (a broker's acks) learns which records are finished,
/// and only those: succeeded, or dead-lettered once the sink stored them.
/// </summary>
public class CompletionCallbackTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    public async Task Every_succeeded_or_dead_lettered_record_is_reported_finished_exactly_once(int parallelism, int batchSize)
    {
        var finished = new ConcurrentQueue<int>();
        var sink = new RecordingDeadLetterSink();
        var report = await SluicePipeline.From(Enumerable.Range(0, 200))
            .WithParallelism(parallelism)
            .WithBatchSize(batchSize)
            .PartitionBy(i => i % 5)
            .WithDeadLetters(sink)
            .OnRecordsCompleted((records, _) =>
            {
                foreach (var record in records)
                {
                    finished.Enqueue(record);
                }

                return ValueTask.CompletedTask;
            })
            .RunAsync((record, _) => record % 9 == 4 ? throw new InvalidDataException("poison " + record) : ValueTask.CompletedTask);

        Assert.Equal(200, report.Read);
        Assert.Equal(Enumerable.Range(0, 200), finished.Order());
        Assert.Equal(Enumerable.Range(0, 200).Where(i => i % 9 == 4).Count(), sink.Letters.Count);
    }

    [Fact]
    public async Task Each_partition_reports_its_records_in_processing_order()
    {
        var finished = new ConcurrentQueue<int>();
        await SluicePipeline.From(Enumerable.Range(0, 300))
            .WithParallelism(3)
            .WithBatchSize(4)
            .PartitionBy(i => i % 3)
            .OnRecordsCompleted((records, _) =>
            {
                foreach (var record in records)
                {
                    finished.Enqueue(record);
                }

                return ValueTask.CompletedTask;
            })
            .RunAsync((_, _) => ValueTask.CompletedTask);

        for (var key = 0; key < 3; key++)
        {
            var ofKey = finished.Where(i => i % 3 == key).ToArray();
            Assert.Equal(ofKey.Order(), ofKey);
            Assert.Equal(100, ofKey.Length);
        }
    }

    [Fact]
    public async Task A_record_whose_dead_letter_could_not_be_stored_is_not_reported_finished()
    {
        var finished = new ConcurrentQueue<int>();
        var sink = new RecordingDeadLetterSink { FailWith = new IOException("disk full") };
        var run = SluicePipeline.From(Enumerable.Range(0, 10))
            .WithBatchSize(10)
            .WithDeadLetters(sink)
            .OnRecordsCompleted((records, _) =>
            {
                foreach (var record in records)
                {
                    finished.Enqueue(record);
                }

                return ValueTask.CompletedTask;
            })
            .RunAsync((record, _) => record == 3 ? throw new InvalidDataException("poison") : ValueTask.CompletedTask);

        var failure = await Assert.ThrowsAsync<IOException>(() => run);
        Assert.Equal("disk full", failure.Message);
        Assert.DoesNotContain(3, finished);
    }

    [Fact]
    public async Task A_failing_callback_fails_the_run()
    {
        var run = SluicePipeline.From(Enumerable.Range(0, 10))
            .OnRecordsCompleted((_, _) => throw new InvalidOperationException("ack refused"))
            .RunAsync((_, _) => ValueTask.CompletedTask);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => run);
        Assert.Equal("ack refused", failure.Message);
    }

    [Fact]
    public async Task The_callback_cannot_be_combined_with_checkpoints()
    {
        using var temp = new TempDirectory();
        using var store = new FileCheckpointStore(temp.Path);
        var builder = SluicePipeline.From(Enumerable.Range(0, 10))
            .WithName("acked")
            .WithCheckpoints(store)
            .OnRecordsCompleted((_, _) => ValueTask.CompletedTask);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => builder.RunAsync((_, _) => ValueTask.CompletedTask));
        Assert.Contains("cannot be combined", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_callback_cannot_be_combined_with_a_transactional_sink()
    {
        var builder = SluicePipeline.From(Enumerable.Range(0, 10))
            .WithName("acked")
            .WithTransactionalSink(new NeverCalledSink())
            .OnRecordsCompleted((_, _) => ValueTask.CompletedTask);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => builder.RunAsync((_, _) => ValueTask.CompletedTask));
        Assert.Contains("acknowledge records before their commit", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>A transactional sink the refused pipeline must never reach.</summary>
    private sealed class NeverCalledSink : ITransactionalBatchSink<int>
    {
        public ValueTask<long?> LoadCheckpointAsync(string pipeline, string partition, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("the run should have been refused before loading a checkpoint");

        public ValueTask CommitAsync(TransactionalBatch<int> batch, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("the run should have been refused before committing");
    }

    [Fact]
    public void A_null_callback_is_refused()
    {
        var failure = Assert.Throws<ArgumentNullException>(() => SluicePipeline.From(Enumerable.Range(0, 1)).OnRecordsCompleted(null!));
        Assert.Equal("callback", failure.ParamName);
    }
}
