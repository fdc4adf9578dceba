using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Sluice.Runtime.Tests.Pipeline;

/// <summary>
/// Checkpoint commits paced by finished records and time (<see cref="SluicePipeline{T}.WithCheckpointPacing(int, TimeSpan)"/>),
/// and always made at the end of a run, on cancellation and before a failure is reported.
/// </summary>
public class CheckpointPacingTests
{
    [Fact]
    public async Task With_every_batch_pacing_each_batch_is_committed()
    {
        var store = new RecordingCheckpointStore();

        await SluicePipeline.From(Enumerable.Range(0, 1_000))
            .WithName("pacing")
            .WithBatchSize(10)
            .WithCheckpoints(store)
            .WithCheckpointPacing(1, TimeSpan.Zero)
            .RunAsync(BusyBatch);

        Assert.Equal(Enumerable.Range(1, 100).Select(i => i * 10L), store.Commits);
    }

    [Fact]
    public async Task Paced_by_records_a_commit_is_made_each_time_that_many_have_finished_and_at_the_end()
    {
        var store = new RecordingCheckpointStore();

        await SluicePipeline.From(Enumerable.Range(0, 1_050))
            .WithName("pacing")
            .WithBatchSize(10)
            .WithCheckpoints(store)
            .WithCheckpointPacing(200, TimeSpan.FromHours(1))
            .RunAsync(BusyBatch);

        Assert.Equal([200, 400, 600, 800, 1_000, 1_050], store.Commits);
    }

    [Fact]
    public async Task When_no_commit_falls_due_only_the_end_of_the_run_commits()
    {
        var store = new RecordingCheckpointStore();

        await SluicePipeline.From(Enumerable.Range(0, 1_000))
            .WithName("pacing")
            .WithBatchSize(10)
            .WithCheckpoints(store)
            .WithCheckpointPacing(int.MaxValue, TimeSpan.FromHours(1))
            .RunAsync(BusyBatch);

        Assert.Equal([1_000], store.Commits);
    }

    [Fact]
    public async Task Paced_by_time_finished_work_is_committed_once_the_interval_has_passed()
    {
        // The clock moves a minute after every 25th batch; each move makes a commit due (after the next batch or on the
        // pacing timer, whichever comes first), so there are a few commits rather than one per batch or only the last.
        var store = new RecordingCheckpointStore();
        var clock = new FakeTimeProvider();
        var batches = 0;

        await SluicePipeline.From(Enumerable.Range(0, 1_000))
            .WithName("pacing")
            .WithBatchSize(10)
            .WithCheckpoints(store)
            .WithTimeProvider(clock)
            .WithCheckpointPacing(int.MaxValue, TimeSpan.FromMinutes(1))
            .RunAsync((IReadOnlyList<int> batch, CancellationToken token) =>
            {
                if (++batches % 25 == 0 && batches < 100)
                {
                    clock.Advance(TimeSpan.FromMinutes(1));
                }

                return BusyBatch(batch, token);
            });

        var commits = store.Commits;
        Assert.InRange(commits.Count, 4, 7);
        Assert.Equal(1_000, commits[^1]);
        Assert.Equal(commits.Order(), commits);
        Assert.Contains(commits, position => position is >= 240 and <= 260);
        Assert.Contains(commits, position => position is >= 740 and <= 760);
    }

    [Fact]
    public async Task A_canceled_run_commits_everything_it_finished_even_when_no_commit_was_due()
    {
        var store = new RecordingCheckpointStore();
        using var cts = new CancellationTokenSource();
        var handled = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SluicePipeline.From(Enumerable.Range(0, 10_000))
            .WithName("pacing")
            .WithBatchSize(10)
            .WithCheckpoints(store)
            .WithCheckpointPacing(int.MaxValue, TimeSpan.FromHours(1))
            .RunAsync((IReadOnlyList<int> batch, CancellationToken token) =>
            {
                handled += batch.Count;
                if (handled == 300)
                {
                    cts.Cancel();
                }

                return ValueTask.CompletedTask;
            }, cts.Token));

        Assert.Equal(handled, store.Commits[^1]);
        Assert.InRange(handled, 300, 9_999);
    }

    [Fact]
    public async Task A_failing_run_commits_the_finished_prefix_before_the_failure_is_reported()
    {
        var store = new RecordingCheckpointStore();

        var error = await Assert.ThrowsAsync<FormatException>(() => SluicePipeline.From(Enumerable.Range(0, 1_000))
            .WithName("pacing")
            .WithBatchSize(10)
            .WithCheckpoints(store)
            .WithCheckpointPacing(int.MaxValue, TimeSpan.FromHours(1))
            .RunAsync((IReadOnlyList<int> batch, CancellationToken _) =>
                batch.Contains(250) ? throw new FormatException("bad row") : ValueTask.CompletedTask));

        Assert.Equal("bad row", error.Message);
        Assert.Equal(250, store.Commits[^1]);
    }

    [Fact]
    public async Task Under_parallelism_no_commit_is_ever_ahead_of_finished_work()
    {
        var finished = new ConcurrentDictionary<int, bool>();
        var store = new RecordingCheckpointStore
        {
            OnCommit = position =>
            {
                for (var i = 0; i < position; i++)
                {
                    Assert.True(finished.ContainsKey(i), $"committed {position} before record {i} finished");
                }
            },
        };

        var report = await SluicePipeline.From(Enumerable.Range(0, 2_000))
            .WithName("pacing")
            .WithBatchSize(25)
            .WithParallelism(4)
            .WithCheckpoints(store)
            .WithCheckpointPacing(50, TimeSpan.Zero)
            .RunBorrowedAsync(async (batch, token) =>
            {
                var records = batch.ToArray();
                await Task.Delay(records[0] % 3, token);
                foreach (var record in records)
                {
                    finished[record] = true;
                }
            });

        Assert.Equal(2_000, report.Succeeded);
        Assert.Equal(2_000, store.Commits[^1]);
        Assert.Equal(store.Commits.Order(), store.Commits);
    }

    [Fact]
    public void Pacing_arguments_are_validated_by_name()
    {
        var pipeline = SluicePipeline.From(new[] { 1 });
        Assert.Equal("records", Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.WithCheckpointPacing(0, TimeSpan.Zero)).ParamName);
        Assert.Equal("interval", Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.WithCheckpointPacing(1, TimeSpan.FromMilliseconds(-1))).ParamName);
        Assert.Equal("interval", Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.WithCheckpointPacing(1, TimeSpan.FromHours(2))).ParamName);
    }

    private static ValueTask BusyBatch(IReadOnlyList<int> batch, CancellationToken token)
    {
        // A little work, so that batches take real time.
        Thread.SpinWait(1_000);
        return ValueTask.CompletedTask;
    }

    private sealed class RecordingCheckpointStore : ICheckpointStore
    {
        private readonly object _gate = new();
        private readonly List<long> _commits = [];

        public Action<long>? OnCommit { get; init; }

        public List<long> Commits
        {
            get
            {
                lock (_gate)
                {
                    return [.. _commits];
                }
            }
        }

        public ValueTask<long?> LoadAsync(string pipeline, string partition, CancellationToken cancellationToken = default)
            => ValueTask.FromResult<long?>(null);

        public ValueTask CommitAsync(string pipeline, string partition, long position, CancellationToken cancellationToken = default)
        {
            OnCommit?.Invoke(position);
            lock (_gate)
            {
                _commits.Add(position);
            }

            return ValueTask.CompletedTask;
        }
    }
}
