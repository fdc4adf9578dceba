using System.Diagnostics;
using Sluice.PostgreSql.Tests.CrashRecovery;
using Sluice.PostgreSql.Tests.Support;

namespace Sluice.PostgreSql.Tests;

/// <summary>Run records, the one-run-at-a-time lease and the checkpoint catalog of <see cref="PostgresCheckpointStore"/>, against the real server.</summary>
public class RunStoreTests
{
    private static async Task<(PostgresCheckpointStore Store, PostgresDeadLetterSink DeadLetters)> CreateStoresAsync(TestDatabase db)
    {
        await PostgresSchema.EnsureAsync(db.DataSource, db.Tables());
        return (new PostgresCheckpointStore(db.DataSource, db.Tables()), new PostgresDeadLetterSink(db.DataSource, db.Tables()));
    }

    [SkippableFact]
    public async Task Each_run_is_recorded_from_start_to_canceled_failed_or_completed_with_its_counts()
    {
        await using var db = await TestDatabase.CreateAsync();
        var (store, deadLetters) = await CreateStoresAsync(db);
        using var cts = new CancellationTokenSource();

        // 1: canceled part-way.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SluicePipeline.From(Enumerable.Range(0, 300))
            .WithName("records").ForInput("a").WithBatchSize(10).WithCheckpoints(store).WithDeadLetters(deadLetters)
            .RunAsync(async (id, token) =>
            {
                if (id == 50)
                {
                    await cts.CancelAsync();
                    await Task.Delay(Timeout.Infinite, token);
                }
            }, cts.Token));

        // 2: fails on an error that is not dead-lettered (no dead-letter sink).
        await Assert.ThrowsAsync<InvalidOperationException>(() => SluicePipeline.From(Enumerable.Range(0, 300))
            .WithName("records").ForInput("a").WithBatchSize(10).WithCheckpoints(store)
            .RunAsync((id, _) => id == 150 ? throw new InvalidOperationException("no sink for 150") : ValueTask.CompletedTask));

        // 3: completes, dead-lettering two records.
        var report = await SluicePipeline.From(Enumerable.Range(0, 300))
            .WithName("records").ForInput("a").WithBatchSize(10).WithCheckpoints(store).WithDeadLetters(deadLetters)
            .RunAsync((id, _) => id is 200 or 250 ? throw new FormatException($"bad {id}") : ValueTask.CompletedTask);

        var runs = await store.ListRunsAsync("records@a").ToListAsync();
        Assert.Equal([PipelineRunStatus.Completed, PipelineRunStatus.Failed, PipelineRunStatus.Canceled], runs.Select(r => r.Status));
        Assert.All(runs, r => Assert.Equal(("records", "a", "records@a"), (r.Pipeline, r.Input, r.Instance)));
        Assert.All(runs, r => Assert.True(r.EndedAt >= r.StartedAt));
        Assert.All(runs, r => Assert.Contains($"pid {Environment.ProcessId} run {r.RunId}", r.Holder, StringComparison.Ordinal));

        var (completed, failed, canceled) = (runs[0], runs[1], runs[2]);
        Assert.Equal(report.RunId, completed.RunId);
        Assert.Equal((150L, 300L, 150L, 150L, 148L, 2L), (completed.StartCheckpoint, completed.Checkpoint, completed.Skipped, completed.Read, completed.Succeeded, completed.DeadLettered));
        Assert.Equal(deadLetters.Location, completed.DeadLetterLocation);
        Assert.Null(completed.Error);
        Assert.Equal(150L, failed.Checkpoint);
        Assert.Equal("System.InvalidOperationException: no sink for 150", failed.Error);
        Assert.Null(failed.DeadLetterLocation);
        Assert.InRange(canceled.Checkpoint!.Value, 0, 50);
        Assert.Equal(canceled.Checkpoint, failed.StartCheckpoint);

        // Read back field for field; unknown ids and instances find nothing.
        Assert.Equal(completed, await store.GetRunAsync(completed.RunId));
        Assert.Null(await store.GetRunAsync("20260101T000000000Z-00000000"));
        Assert.Equal(3, await store.ListRunsAsync().CountAsync());
        Assert.Empty(await store.ListRunsAsync("records@b").ToListAsync());

        // The dead letters name their instance and run, and a completed instance is not run again.
        var letters = await deadLetters.ReadAsync(new DeadLetterQuery { Instance = "records@a" }).ToListAsync();
        Assert.Equal([200L, 250L], letters.Select(d => d.Position!.Value));
        Assert.All(letters, d => Assert.Equal((completed.RunId, "records@a"), (d.RunId, d.Instance)));
        await Assert.ThrowsAsync<PipelineInstanceCompletedException>(() => SluicePipeline.From(Enumerable.Range(0, 300))
            .WithName("records").ForInput("a").WithCheckpoints(store).RunAsync((_, _) => ValueTask.CompletedTask));
        Assert.Equal([("records@a", SluicePipeline.CheckpointPartition, 300L)], await store.ListCheckpointsAsync().Select(c => (c.Instance, c.Partition, c.Position)).ToListAsync());
    }

    [SkippableFact]
    public async Task Two_concurrent_runs_of_one_instance_the_second_is_refused_naming_the_holder_and_nothing_runs_twice()
    {
        await using var db = await TestDatabase.CreateAsync();
        var (store, _) = await CreateStoresAsync(db);

        // A second store over the same tables: another host.
        var otherHost = new PostgresCheckpointStore(db.DataSource, db.Tables());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new int[100];
        Task<PipelineReport> Run(PostgresCheckpointStore checkpoints) => SluicePipeline.From(Enumerable.Range(0, 100))
            .WithName("orders").ForInput("2026-11-30").WithBatchSize(10).WithCheckpoints(checkpoints)
            .RunAsync(async (id, token) =>
            {
                Interlocked.Increment(ref handled[id]);
                started.TrySetResult();
                await release.Task.WaitAsync(token);
            });

        var first = Run(store);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var lease = await store.GetLeaseAsync("orders@2026-11-30");
        Assert.NotNull(lease);

        var busy = await Assert.ThrowsAsync<PipelineInstanceBusyException>(() => Run(otherHost));
        Assert.Contains("'orders@2026-11-30'", busy.Message, StringComparison.Ordinal);
        Assert.Contains(lease.Holder!, busy.Message, StringComparison.Ordinal);
        Assert.Equal(lease.Token, busy.Current!.Token);
        Assert.False(first.IsCompleted);

        release.SetResult();
        var report = await first.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(100, report.Succeeded);
        Assert.All(handled, count => Assert.Equal(1, count));
        Assert.Null(await store.GetLeaseAsync("orders@2026-11-30"));
        Assert.Contains(report.RunId!, lease.Holder, StringComparison.Ordinal);

        // Only the run that held the lease left a record: the refused one never started.
        var run = Assert.Single(await store.ListRunsAsync().ToListAsync());
        Assert.Equal((report.RunId, PipelineRunStatus.Completed), (run.RunId, run.Status));
    }

    [SkippableFact]
    public async Task The_lease_of_a_killed_holder_refuses_the_next_run_until_it_expires_then_the_run_resumes_and_marks_the_dead_run_failed()
    {
        const int count = 400;
        await using var db = await TestDatabase.CreateAsync();
        await PostgresSchema.EnsureAsync(db.DataSource, LeasePipeline.Tables(db.Schema));
        var store = new PostgresCheckpointStore(db.DataSource, LeasePipeline.Tables(db.Schema));

        int childId;
        using (var child = CrashRecoveryTests.StartChild("lease-pipeline", db.Schema, count))
        {
            childId = child.Id;
            var errors = child.StandardError.ReadToEndAsync();
            var deadline = Stopwatch.StartNew();
            while ((await store.LoadAsync(LeasePipeline.Instance, SluicePipeline.CheckpointPartition) ?? 0) < 20)
            {
                if (child.HasExited)
                {
                    Assert.Fail("the child ended before it was killed: " + await errors);
                }

                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the child made no progress");
                await Task.Delay(20);
            }

            child.Kill(); // SIGKILL: the lease is neither released nor renewed again.
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        var handled = 0;
        Task<PipelineReport> Rerun(TimeSpan waitForHolder) => SluicePipeline.From(Enumerable.Range(0, count))
            .WithName(LeasePipeline.Name).ForInput(LeasePipeline.Input).WithBatchSize(5)
            .WithCheckpoints(store).WithLease(LeasePipeline.LeaseDuration, waitForHolder)
            .RunAsync((_, _) => { Interlocked.Increment(ref handled); return ValueTask.CompletedTask; });

        // At once: the dead holder's lease is still live, and the refusal names that process.
        var stale = await store.GetLeaseAsync(LeasePipeline.Instance);
        Assert.NotNull(stale);
        Assert.Equal(childId, stale.ProcessId);
        var busy = await Assert.ThrowsAsync<PipelineInstanceBusyException>(() => Rerun(TimeSpan.Zero));
        Assert.Contains($"pid {childId}", busy.Message, StringComparison.Ordinal);
        Assert.Equal(0, handled);

        // Waiting for the holder: the lease expires (it is no longer renewed) and the run takes it over.
        var resumedFrom = await store.LoadAsync(LeasePipeline.Instance, SluicePipeline.CheckpointPartition);
        var report = await Rerun(TimeSpan.FromSeconds(30));
        Assert.Equal(count - resumedFrom!.Value, handled);
        Assert.Equal(count, await store.LoadAsync(LeasePipeline.Instance, SluicePipeline.CheckpointPartition));
        Assert.Null(await store.GetLeaseAsync(LeasePipeline.Instance));

        var runs = await store.ListRunsAsync(LeasePipeline.Instance).ToListAsync();
        Assert.Equal(2, runs.Count);
        Assert.Equal((report.RunId, PipelineRunStatus.Completed, resumedFrom.Value), (runs[0].RunId, runs[0].Status, runs[0].StartCheckpoint));
        Assert.Equal(PipelineRunStatus.Failed, runs[1].Status);
        Assert.Contains($"pid {childId}", runs[1].Holder, StringComparison.Ordinal);
        Assert.Contains("stopped without recording its end", runs[1].Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_lease_is_taken_renewed_and_released_only_by_its_token_and_a_reset_waits_for_it()
    {
        await using var db = await TestDatabase.CreateAsync();
        var (store, _) = await CreateStoresAsync(db);
        await store.CommitAsync("nightly", SluicePipeline.CheckpointPartition, 40);

        var held = await store.AcquireLeaseAsync("nightly", "host-a pid 1 run r1", TimeSpan.FromSeconds(30));
        Assert.Equal(("nightly", "host-a pid 1 run r1", Environment.MachineName, Environment.ProcessId), (held.Instance, held.Holder, held.Machine, held.ProcessId));
        Assert.InRange(held.ExpiresAt - held.AcquiredAt, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(31));
        Assert.Equal(held, await store.GetLeaseAsync("nightly"));

        var refused = await Assert.ThrowsAsync<PipelineInstanceBusyException>(async () => await store.AcquireLeaseAsync("nightly", "host-b", TimeSpan.FromSeconds(30)));
        Assert.Equal(held.Token, refused.Current!.Token);
        Assert.Contains("host-a pid 1 run r1", refused.Message, StringComparison.Ordinal);
        var busyReset = await Assert.ThrowsAsync<PipelineInstanceBusyException>(async () => await store.ResetAsync("nightly", SluicePipeline.CheckpointPartition));
        Assert.Equal(held.Token, busyReset.Current!.Token);
        Assert.Equal(40L, await store.LoadAsync("nightly", SluicePipeline.CheckpointPartition));

        var renewed = await store.RenewLeaseAsync(held, TimeSpan.FromMinutes(5));
        Assert.Equal(held.Token, renewed.Token);
        Assert.True(renewed.ExpiresAt > held.ExpiresAt.AddMinutes(4));

        // A stranger's token neither renews nor releases it.
        var stranger = held with { Token = "someone-else" };
        Assert.Equal(held.Token, (await Assert.ThrowsAsync<PipelineInstanceBusyException>(async () => await store.RenewLeaseAsync(stranger, TimeSpan.FromSeconds(5)))).Current!.Token);
        await store.ReleaseLeaseAsync(stranger);
        Assert.Equal(held.Token, (await store.GetLeaseAsync("nightly"))!.Token);

        await store.ReleaseLeaseAsync(renewed);
        Assert.Null(await store.GetLeaseAsync("nightly"));
        Assert.True(await store.ResetAsync("nightly", SluicePipeline.CheckpointPartition));
        Assert.False(await store.ResetAsync("nightly", SluicePipeline.CheckpointPartition));
        Assert.Null(await store.LoadAsync("nightly", SluicePipeline.CheckpointPartition));

        // An expired lease (1 s, never renewed) is taken over; its old holder has lost it.
        var brief = await store.AcquireLeaseAsync("nightly", "brief", TimeSpan.FromSeconds(1));
        await Task.Delay(1200);
        var next = await store.AcquireLeaseAsync("nightly", "next", TimeSpan.FromSeconds(30));
        Assert.Equal("next", (await Assert.ThrowsAsync<PipelineInstanceBusyException>(async () => await store.RenewLeaseAsync(brief, TimeSpan.FromSeconds(5)))).Current!.Holder);
        Assert.Equal(next.Token, (await store.GetLeaseAsync("nightly"))!.Token);
    }

    [SkippableFact]
    public async Task The_same_holder_asking_again_gets_its_lease_back_as_a_call_repeated_after_a_lost_answer_needs()
    {
        await using var db = await TestDatabase.CreateAsync();
        var (store, _) = await CreateStoresAsync(db);
        var first = await store.AcquireLeaseAsync("nightly", "host-a pid 1 run r1", TimeSpan.FromSeconds(30));

        // Asked again by the same holder (the first answer never reached it): taken again, under a new token.
        var again = await store.AcquireLeaseAsync("nightly", "host-a pid 1 run r1", TimeSpan.FromSeconds(30));
        Assert.Equal("host-a pid 1 run r1", again.Holder);
        Assert.NotEqual(first.Token, again.Token);
        Assert.Equal(again.Token, (await store.GetLeaseAsync("nightly"))!.Token);

        // Anyone else is still refused, and the token of the lost answer no longer renews it.
        Assert.Equal(again.Token, (await Assert.ThrowsAsync<PipelineInstanceBusyException>(async () => await store.AcquireLeaseAsync("nightly", "host-a pid 1 run r2", TimeSpan.FromSeconds(30)))).Current!.Token);
        Assert.Equal(again.Token, (await Assert.ThrowsAsync<PipelineInstanceBusyException>(async () => await store.RenewLeaseAsync(first, TimeSpan.FromSeconds(30)))).Current!.Token);
    }

    [SkippableFact]
    public async Task Every_call_the_pipeline_makes_outside_its_resilience_rides_out_a_pooled_connection_the_server_terminated()
    {
        await using var db = await TestDatabase.CreateAsync();
        await PostgresSchema.EnsureAsync(db.DataSource, db.Tables());
        var application = "sluice-dropped-" + Guid.NewGuid().ToString("N")[..8];
        await using var dropped = Npgsql.NpgsqlDataSource.Create(new Npgsql.NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString) { ApplicationName = application }.ConnectionString);
        var store = new PostgresCheckpointStore(dropped, db.Tables());

        // Before each call, the server ends the session of every idle connection in the store's pool, as a failover or an
        // administrator does; the pool hands that dead connection to the call.
        var terminated = 0L;
        async Task<T> AfterDropAsync<T>(Func<Task<T>> call)
        {
            terminated += await db.ScalarAsync<long>($"SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{application}') AS killed");
            return await call();
        }

        await store.CommitAsync("warm", "source", 1); // a pooled connection to begin with
        var run = new PipelineRunRecord { RunId = "20261130T000000000Z-0000dead", Pipeline = "p", Instance = "p", StartedAt = DateTimeOffset.UtcNow };
        await AfterDropAsync(async () => { await store.SaveRunAsync(run); return true; });
        Assert.Equal(run.RunId, (await AfterDropAsync(() => store.GetRunAsync(run.RunId).AsTask()))!.RunId);
        Assert.Single(await AfterDropAsync(() => store.ListRunsAsync("p").ToListAsync().AsTask()));
        var lease = await AfterDropAsync(() => store.AcquireLeaseAsync("p", "host pid 1 run r", TimeSpan.FromSeconds(30)).AsTask());
        lease = await AfterDropAsync(() => store.RenewLeaseAsync(lease, TimeSpan.FromSeconds(30)).AsTask());
        Assert.Equal(lease.Token, (await AfterDropAsync(() => store.GetLeaseAsync("p").AsTask()))!.Token);
        await AfterDropAsync(async () => { await store.ReleaseLeaseAsync(lease); return true; });
        await AfterDropAsync(async () => { await store.CommitAsync("p", "source", 40); return true; });
        Assert.Equal(40L, await AfterDropAsync(() => store.LoadAsync("p", "source").AsTask()));
        Assert.Single(await AfterDropAsync(() => store.ListCheckpointsAsync("p").ToListAsync().AsTask()));

        Assert.Null(await store.GetLeaseAsync("p"));
        Assert.True(terminated >= 10, $"only {terminated} pooled connections were terminated");
    }

    [SkippableFact]
    public async Task A_lease_is_renewed_while_a_run_lasts_longer_than_its_duration()
    {
        await using var db = await TestDatabase.CreateAsync();
        var (store, _) = await CreateStoresAsync(db);
        var intruders = 0;

        // Five records of 800 ms outlast the 3 s lease; the last two intruders come after it would have expired unrenewed.
        var report = await SluicePipeline.From(Enumerable.Range(0, 5))
            .WithName("long").WithBatchSize(1).WithCheckpoints(store).WithLease(TimeSpan.FromSeconds(3))
            .RunAsync(async (_, token) =>
            {
                await Task.Delay(800, token);
                await Assert.ThrowsAsync<PipelineInstanceBusyException>(async () => await store.AcquireLeaseAsync("long", "intruder", TimeSpan.FromSeconds(1), token));
                intruders++;
            });

        Assert.Equal((5L, 5), (report.Succeeded, intruders));
    }

    [Fact]
    public async Task Run_and_lease_arguments_are_checked_and_named()
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1");
        var store = new PostgresCheckpointStore(dataSource);
        Assert.Equal("run", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.SaveRunAsync(null!))).ParamName);
        Assert.Equal("runId", (await Assert.ThrowsAsync<ArgumentException>(async () => await store.GetRunAsync(" "))).ParamName);
        Assert.Equal("instance", (await Assert.ThrowsAsync<ArgumentException>(async () => await store.AcquireLeaseAsync("", "me", TimeSpan.FromMinutes(1)))).ParamName);
        Assert.Equal("holder", (await Assert.ThrowsAsync<ArgumentException>(async () => await store.AcquireLeaseAsync("i", " ", TimeSpan.FromMinutes(1)))).ParamName);
        Assert.Equal("duration", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.AcquireLeaseAsync("i", "me", TimeSpan.FromMilliseconds(10)))).ParamName);
        Assert.Equal("lease", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.RenewLeaseAsync(null!, TimeSpan.FromMinutes(1)))).ParamName);
        Assert.Equal("partition", (await Assert.ThrowsAsync<ArgumentException>(async () => await store.ResetAsync("i", ""))).ParamName);
        Assert.Equal("Runs", Assert.Throws<ArgumentException>(() => new PostgresTableNames { Runs = "runs; DROP TABLE x" }).ParamName);
        Assert.Equal("Leases", Assert.Throws<ArgumentException>(() => new PostgresTableNames { Leases = "1leases" }).ParamName);
    }
}
