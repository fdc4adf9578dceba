using Sluice.PostgreSql.Tests.Support;

namespace Sluice.PostgreSql.Tests;

public class TransactionalSinkTests
{
    private static async Task<(TestDatabase Db, PostgresTransactionalSink<Event> Sink)> SetUpAsync()
    {
        var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(PlainInsertWriter.CreateTable(db.Schema));
        var sink = new PostgresTransactionalSink<Event>(db.DataSource, new PlainInsertWriter(db.Schema), db.Tables());
        await sink.EnsureSchemaAsync();
        return (db, sink);
    }

    [SkippableFact]
    public async Task Records_dead_letters_and_the_checkpoint_commit_together_and_the_completed_instance_is_refused_unless_rerun_is_allowed()
    {
        var (db, sink) = await SetUpAsync();
        await using var _ = db;
        var events = Enumerable.Range(0, 250).Select(i => new Event(i, i)).ToList();

        async Task<PipelineReport> Run(bool allowRerun = false)
        {
            var pipeline = SluicePipeline.From(events).WithName("tx").WithBatchSize(20).WithTransactionalSink(sink);
            return await (allowRerun ? pipeline.AllowRerun() : pipeline)
                .RunAsync((e, _) => e.Id % 17 == 3 ? throw new InvalidDataException($"bad {e.Id}") : ValueTask.CompletedTask);
        }

        var report = await Run();
        var poison = events.Where(e => e.Id % 17 == 3).Select(e => (long)e.Id).ToList();
        Assert.Equal((250L, 250L - poison.Count, (long)poison.Count, 250L), (report.Read, report.Succeeded, report.DeadLettered, report.Checkpoint!.Value));
        Assert.Equal(events.Select(e => e.Id).Where(id => id % 17 != 3), await Outcome.StoredIdsAsync(db.DataSource, db.Schema));
        Assert.Equal(poison, await Outcome.DeadLetteredPositionsAsync(db.DataSource, db.Tables(), "tx"));
        Assert.Equal(250L, await sink.LoadCheckpointAsync("tx", SluicePipeline.CheckpointPartition));

        // The run is recorded in the run table beside the checkpoint, and its lease is given back.
        var run = Assert.Single(await sink.Checkpoints.ListRunsAsync("tx").ToListAsync());
        Assert.Equal((report.RunId, PipelineRunStatus.Completed, 250L, 250L - poison.Count, (long)poison.Count), (run.RunId, run.Status, run.Checkpoint, run.Succeeded, run.DeadLettered));
        Assert.Null(await sink.Checkpoints.GetLeaseAsync("tx"));

        // It names where its dead letters went: the sink's dead-letter table, without credentials.
        Assert.Equal(new PostgresDeadLetterSink(db.DataSource, db.Tables()).Location, run.DeadLetterLocation);
        Assert.EndsWith($"\"{db.Schema}\".\"{db.Tables().DeadLetters}\"", run.DeadLetterLocation, StringComparison.Ordinal);

        // Running the completed instance again is refused, naming it, and writes nothing.
        var refused = await Assert.ThrowsAsync<PipelineInstanceCompletedException>(() => Run());
        Assert.Equal(("tx", report.RunId), (refused.Instance, refused.LastRun!.RunId));
        Assert.Equal(250 - poison.Count, (await Outcome.StoredIdsAsync(db.DataSource, db.Schema)).Count);
        Assert.Equal(250L, await sink.LoadCheckpointAsync("tx", SluicePipeline.CheckpointPartition));

        // AllowRerun starts over from the first record: the plain INSERT then writes every record a second time.
        var rerun = await Run(allowRerun: true);
        Assert.Equal((250L, 0L, 250L), (rerun.Read, rerun.Skipped, rerun.Checkpoint!.Value));
        Assert.Equal(2 * (250 - poison.Count), (await Outcome.StoredIdsAsync(db.DataSource, db.Schema)).Count);
        Assert.Equal([PipelineRunStatus.Completed, PipelineRunStatus.Completed], await sink.Checkpoints.ListRunsAsync("tx").Select(r => r.Status).ToListAsync());
    }

    [SkippableFact]
    public async Task Two_concurrent_runs_of_one_instance_the_second_is_refused_by_the_lease_and_nothing_is_written_twice()
    {
        var (db, sink) = await SetUpAsync();
        await using var _ = db;

        // A second sink over the same tables: another host.
        var otherHost = new PostgresTransactionalSink<Event>(db.DataSource, new PlainInsertWriter(db.Schema), db.Tables());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<PipelineReport> Run(PostgresTransactionalSink<Event> target) => SluicePipeline.From(Enumerable.Range(0, 60).Select(i => new Event(i, i)))
            .WithName("orders").ForInput("2026-11-30").WithBatchSize(10).WithTransactionalSink(target)
            .RunAsync(async (_, token) =>
            {
                started.TrySetResult();
                await release.Task.WaitAsync(token);
            });

        var first = Run(sink);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var lease = await sink.Checkpoints.GetLeaseAsync("orders@2026-11-30");
        Assert.NotNull(lease);

        var busy = await Assert.ThrowsAsync<PipelineInstanceBusyException>(() => Run(otherHost));
        Assert.Equal(lease.Token, busy.Current!.Token);
        Assert.Contains(lease.Holder, busy.Message, StringComparison.Ordinal);
        Assert.False(first.IsCompleted);

        release.SetResult();
        var report = await first.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(60L, report.Succeeded);
        Assert.Equal(Enumerable.Range(0, 60), await Outcome.StoredIdsAsync(db.DataSource, db.Schema));
        Assert.Contains(report.RunId!, lease.Holder, StringComparison.Ordinal);
        Assert.Null(await sink.Checkpoints.GetLeaseAsync("orders@2026-11-30"));

        // Only the run that held the lease left a record: the refused one never started.
        var run = Assert.Single(await sink.Checkpoints.ListRunsAsync().ToListAsync());
        Assert.Equal((report.RunId, PipelineRunStatus.Completed), (run.RunId, run.Status));
    }

    [SkippableFact]
    public async Task Each_input_of_a_pipeline_keeps_its_own_checkpoint_so_a_new_input_is_not_skipped()
    {
        var (db, sink) = await SetUpAsync();
        await using var _ = db;
        var monday = Enumerable.Range(0, 40).Select(i => new Event(i, i)).ToList();
        var tuesday = Enumerable.Range(1000, 40).Select(i => new Event(i, i)).ToList();

        var progress = new List<PipelineProgress>();
        async Task<PipelineReport> Import(List<Event> events, string input) => await SluicePipeline.From(events)
            .WithName("tx").ForInput(input).WithBatchSize(10)
            .WithTransactionalSink(sink)
            .WithProgress(new SynchronousProgress(progress))
            .RunAsync((_, _) => ValueTask.CompletedTask);

        var first = await Import(monday, "orders-monday.csv");
        var second = await Import(tuesday, "orders-tuesday.csv");

        // The progress an operator watches shows the transactional checkpoint too: each run's final report ends at its 40.
        Assert.Equal([40L, 40L], progress.Where(p => p.IsFinal).Select(p => p.Checkpoint));

        Assert.Equal((40L, 0L), (first.Read, first.Skipped));
        Assert.Equal((40L, 0L), (second.Read, second.Skipped));
        Assert.Equal(monday.Concat(tuesday).Select(e => e.Id), await Outcome.StoredIdsAsync(db.DataSource, db.Schema));
    }

    [SkippableFact]
    public async Task A_commit_repeated_after_it_landed_changes_nothing_and_one_from_elsewhere_is_refused_whole()
    {
        var (db, sink) = await SetUpAsync();
        await using var _ = db;
        TransactionalBatch<Event> Batch(long from, params int[] ids) => new()
        {
            Pipeline = "p",
            Partition = "source",
            Records = ids.Select(i => new Event(i, i)).ToList(),
            Positions = ids.Select(i => (long)i).ToList(),
            DeadLetters = [DeadLetter.From(99, new InvalidDataException("x"), pipeline: "p", position: from + ids.Length)],
            CheckpointFrom = from,
            Checkpoint = from + ids.Length + 1,
        };

        await sink.CommitAsync(Batch(0, 0, 1, 2));
        await sink.CommitAsync(Batch(0, 0, 1, 2)); // the retry of a commit whose answer was lost
        var conflict = await Assert.ThrowsAsync<InvalidOperationException>(async () => await sink.CommitAsync(Batch(2, 2, 3)));
        Assert.Contains("another run", conflict.Message);

        Assert.Equal([0, 1, 2], await Outcome.StoredIdsAsync(db.DataSource, db.Schema));
        Assert.Equal([3L], await Outcome.DeadLetteredPositionsAsync(db.DataSource, db.Tables(), "p"));
        Assert.Equal(4L, await sink.LoadCheckpointAsync("p", "source"));
    }

    [SkippableFact]
    public async Task A_record_the_table_refuses_is_dead_lettered_alone_and_the_rest_of_its_batch_is_stored()
    {
        var (db, sink) = await SetUpAsync();
        await using var _ = db;
        var events = Enumerable.Range(0, 60).Select(i => new Event(i, i % 25 == 7 ? -1 : i)).ToList();

        var report = await SluicePipeline.From(events).WithName("refused").WithBatchSize(16)
            .WithResilience(Fast.Resilience())
            .WithTransactionalSink(sink)
            .RunAsync((_, _) => ValueTask.CompletedTask);

        Assert.Equal((57L, 3L, 60L), (report.Succeeded, report.DeadLettered, report.Checkpoint!.Value));
        Assert.Equal(events.Where(e => e.Value >= 0).Select(e => e.Id), await Outcome.StoredIdsAsync(db.DataSource, db.Schema));
        var deadLetters = await new PostgresDeadLetterSink(db.DataSource, db.Tables()).ReadAsync("refused").ToListAsync();
        Assert.Equal([7L, 32L, 57L], deadLetters.Select(d => d.Position!.Value));
        Assert.All(deadLetters, d => Assert.Equal(typeof(Npgsql.PostgresException).FullName, d.ErrorType));
        Assert.All(deadLetters, d => Assert.Contains("check constraint", d.ErrorMessage));
    }

    [SkippableFact]
    public async Task A_canceled_run_commits_exactly_the_records_it_finished_and_the_next_run_does_the_rest()
    {
        var (db, sink) = await SetUpAsync();
        await using var _ = db;
        var events = Enumerable.Range(0, 400).Select(i => new Event(i, i)).ToList();
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SluicePipeline.From(events).WithName("stop").WithBatchSize(25)
            .WithTransactionalSink(sink)
            .RunAsync((e, _) =>
            {
                if (e.Id == 137)
                {
                    cancel.Cancel(); // mid-batch: records 125..136 are finished, 137 on are not
                }

                return ValueTask.CompletedTask;
            }, cancel.Token));

        var committed = await sink.LoadCheckpointAsync("stop", SluicePipeline.CheckpointPartition);
        Assert.InRange(committed!.Value, 125, 138);
        Assert.Equal(Enumerable.Range(0, (int)committed.Value), await Outcome.StoredIdsAsync(db.DataSource, db.Schema));

        var rest = await SluicePipeline.From(events).WithName("stop").WithBatchSize(25).WithTransactionalSink(sink).RunAsync((_, _) => ValueTask.CompletedTask);
        Assert.Equal((committed.Value, 400 - committed.Value, 400L), (rest.Skipped, rest.Succeeded, rest.Checkpoint!.Value));
        Assert.Equal(Enumerable.Range(0, 400), await Outcome.StoredIdsAsync(db.DataSource, db.Schema));
    }

    [Fact]
    public async Task The_pipeline_refuses_combinations_that_would_break_the_guarantee()
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1");
        var sink = new PostgresTransactionalSink<Event>(dataSource, new PlainInsertWriter("s"));
        Task Run(SluicePipeline<Event> p) => p.RunAsync((_, _) => ValueTask.CompletedTask);
        var none = Array.Empty<Event>();

        Assert.Contains("WithName", (await Assert.ThrowsAsync<InvalidOperationException>(() => Run(SluicePipeline.From(none).WithTransactionalSink(sink)))).Message);
        Assert.Contains("WithCheckpoints", (await Assert.ThrowsAsync<InvalidOperationException>(() => Run(SluicePipeline.From(none).WithName("p").WithCheckpoints(new PostgresCheckpointStore(dataSource)).WithTransactionalSink(sink)))).Message);
        Assert.Contains("WithDeadLetters", (await Assert.ThrowsAsync<InvalidOperationException>(() => Run(SluicePipeline.From(none).WithName("p").WithDeadLetters(new PostgresDeadLetterSink(dataSource)).WithTransactionalSink(sink)))).Message);
        Assert.Equal("sink", Assert.Throws<ArgumentNullException>(() => SluicePipeline.From(none).WithTransactionalSink(null!)).ParamName);
        Assert.Equal("writer", Assert.Throws<ArgumentNullException>(() => new PostgresTransactionalSink<Event>(dataSource, null!)).ParamName);
    }

    [Fact]
    public void A_parallelism_above_one_is_refused_when_the_pipeline_is_built_whichever_is_set_first()
    {
        using var dataSource = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1");
        var sink = new PostgresTransactionalSink<Event>(dataSource, new PlainInsertWriter("s"));
        var none = Array.Empty<Event>();

        var sinkSecond = Assert.Throws<ArgumentException>(() => SluicePipeline.From(none).WithName("p").WithParallelism(4).WithTransactionalSink(sink));
        Assert.Equal("sink", sinkSecond.ParamName);
        Assert.Contains("parallelism of 1", sinkSecond.Message, StringComparison.Ordinal);
        Assert.Contains("remove WithParallelism", sinkSecond.Message, StringComparison.Ordinal);

        var parallelismSecond = Assert.Throws<ArgumentException>(() => SluicePipeline.From(none).WithName("p").WithTransactionalSink(sink).WithParallelism(2));
        Assert.Equal("degreeOfParallelism", parallelismSecond.ParamName);
        Assert.Contains("IIdempotentSink", parallelismSecond.Message, StringComparison.Ordinal);

        // A parallelism of 1, said explicitly either way, is what the sink runs with.
        SluicePipeline.From(none).WithName("p").WithParallelism(1).WithTransactionalSink(sink).WithParallelism(1);

        // The range check keeps its own exception.
        Assert.IsType<ArgumentOutOfRangeException>(Assert.ThrowsAny<ArgumentException>(() => SluicePipeline.From(none).WithTransactionalSink(sink).WithParallelism(0)));
    }

    /// <summary>Collects progress reports on the reporting thread (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class SynchronousProgress(List<PipelineProgress> reports) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
