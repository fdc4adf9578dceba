using Microsoft.Extensions.Logging;
using System.Runtime.CompilerServices;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Runs;

/// <summary>
/// The tests that read the wall clock against a lease's expiry. They run alone, after the parallel tests: a thread pool
/// busy with other tests held a renewal's continuation back by 0.6 s here, close to the margins these tests allow.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WallClockCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Tests that read the wall clock";
}

[Collection(WallClockCollection.Name)]
public sealed class LeaseRenewalTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_lease_is_renewed_while_a_run_lasts_longer_than_its_duration()
    {
        using var store = new FileCheckpointStore(_temp.Path);

        // Five records of 600 ms outlast the 2 s lease; the last two checks come after it would have expired unrenewed.
        var report = await SluicePipeline.From(Enumerable.Range(0, 5))
            .WithName("long")
            .WithBatchSize(1)
            .WithCheckpoints(store)
            .WithLease(TimeSpan.FromSeconds(2))
            .RunAsync(async (_, token) =>
            {
                await Task.Delay(600, token);

                // Another run trying to start mid-way is still refused: the lease is renewed, not expired.
                await Assert.ThrowsAsync<PipelineInstanceBusyException>(async () => await store.AcquireLeaseAsync("long", "intruder", TimeSpan.FromSeconds(1), token));
            });

        Assert.Equal(5, report.Succeeded);
    }

    [Fact]
    public async Task A_store_slower_than_a_third_of_the_lease_still_renews_it_in_time()
    {
        // Each renewal is dated when asked but answered 1.6 s later, as a flush on a busy disk or a loaded database may.
        // Renewals counted from the answer would come 1.6 + 1.33 s apart, and the second answer 4.53 s after the last
        // renewal known to hold: past the 4 s lease, so the run would fail at about 5.3 s. Counted from the asking they
        // come 1.6 s apart, and each answer arrives 3.2 s after the last renewal known to hold, 0.8 s inside the lease.
        using var files = new FileCheckpointStore(_temp.Path);
        var store = new ScriptedLeaseStore(files) { Latency = TimeSpan.FromSeconds(1.6) };

        var report = await SluicePipeline.From(Enumerable.Range(0, 5))
            .WithName("slow store")
            .WithBatchSize(1)
            .WithCheckpoints(store)
            .WithLease(TimeSpan.FromSeconds(4))
            .RunAsync((_, token) => new ValueTask(Task.Delay(1200, token)));

        Assert.Equal(5, report.Succeeded);
        var leases = store.Leases.ToArray();
        Assert.True(leases.Length >= 4, $"the run of about 6 s renewed its lease only {leases.Length - 1} times");
        for (var i = 1; i < leases.Length; i++)
        {
            Assert.True(
                leases[i].AskedAt < leases[i - 1].Lease.ExpiresAt,
                $"renewal {i} was asked at {leases[i].AskedAt:HH:mm:ss.fff}, after the lease expired at {leases[i - 1].Lease.ExpiresAt:HH:mm:ss.fff}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_renewal_still_unanswered_when_the_lease_ends_fails_the_run_instead_of_running_on_without_it(bool storeHonoursToken)
    {
        // The lease store stops answering (a network partition with no reset): past the lease's end another run may
        // take the instance, so going on would process its records twice. A store that ignores the token must not hold
        // the run past its lease either.
        using var files = new FileCheckpointStore(_temp.Path);
        var store = new ScriptedLeaseStore(files)
        {
            BeforeRenewal = (_, token) => Task.Delay(Timeout.Infinite, storeHonoursToken ? token : CancellationToken.None),
        };
        var handled = new StrongBox<int>();

        var lost = await Assert.ThrowsAsync<PipelineInstanceBusyException>(() => RunFiftySlowRecordsAsync(store, "partitioned", TimeSpan.FromSeconds(2), handled));
        Assert.Contains("lost its lease", lost.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(lost.InnerException);
        Assert.True(handled.Value < 50, "the run went on to the end without its lease");
        Assert.Equal(1, store.Renewals);
    }

    [Fact]
    public async Task A_renewal_that_fails_while_the_lease_holds_is_logged_and_tried_again()
    {
        using var files = new FileCheckpointStore(_temp.Path);
        var store = new ScriptedLeaseStore(files)
        {
            BeforeRenewal = (renewal, _) => renewal == 1 ? Task.FromException(new IOException("connection reset by peer")) : Task.CompletedTask,
        };
        var logger = new CapturingLogger();

        // The first renewal, at 1 s, fails; the second, at 2 s, renews the 3 s lease with a second to spare.
        var report = await SluicePipeline.From(Enumerable.Range(0, 5))
            .WithName("flaky store")
            .WithBatchSize(1)
            .WithCheckpoints(store)
            .WithLogger(logger)
            .WithLease(TimeSpan.FromSeconds(3))
            .RunAsync((_, token) => new ValueTask(Task.Delay(900, token)));

        Assert.Equal(5, report.Succeeded);
        Assert.True(store.Renewals >= 3, $"the lease was renewed {store.Renewals} times in a 4.5 s run");
        var warning = Assert.Single(logger.Entries, e => e.Event.Id == 1009);
        Assert.Equal(("LeaseRenewalFailed", LogLevel.Warning), (warning.Event.Name, warning.Level));
        Assert.IsType<IOException>(warning.Exception);
        Assert.Contains("is retried", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_renewal_refused_because_another_run_holds_the_instance_fails_the_run_at_once()
    {
        using var files = new FileCheckpointStore(_temp.Path);
        var takenOver = new PipelineInstanceBusyException("Pipeline instance 'taken' is held by another run.");
        var store = new ScriptedLeaseStore(files) { BeforeRenewal = (_, _) => Task.FromException(takenOver) };
        var handled = new StrongBox<int>();

        Assert.Same(takenOver, await Assert.ThrowsAsync<PipelineInstanceBusyException>(() => RunFiftySlowRecordsAsync(store, "taken", TimeSpan.FromSeconds(3), handled)));
        Assert.True(handled.Value < 50, "the run went on to the end after another run took its instance");
        Assert.Equal(1, store.Renewals);
    }

    /// <summary>Runs 50 records of 100 ms each, one per batch, counting the ones handled in <paramref name="handled"/>.</summary>
    private static Task<PipelineReport> RunFiftySlowRecordsAsync(ICheckpointStore store, string name, TimeSpan lease, StrongBox<int> handled)
        => SluicePipeline.From(Enumerable.Range(0, 50))
            .WithName(name)
            .WithBatchSize(1)
            .WithCheckpoints(store)
            .WithLease(lease)
            .RunAsync(async (_, token) =>
            {
                await Task.Delay(100, token);
                Interlocked.Increment(ref handled.Value);
            });
}
