using System.Collections.Concurrent;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Runs;

/// <summary>
/// The tests that read the wall clock against a lease's expiry. They run alone, after the parallel tests: a thread pool
/// busy with other tests can hold a renewal's continuation back by more than the half second these tests allow.
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
    public async Task A_store_slower_than_two_thirds_of_the_lease_still_gets_each_renewal_before_the_lease_expires()
    {
        // Each acquire and renewal is dated when asked but returns 1.5 s later, as a flush on a busy disk or a loaded
        // database may. Renewals counted from the return would come 1.5 + 0.67 s apart and the 2 s lease would lapse;
        // counted from the asking, they come 1.5 s apart, which leaves half a second for a loaded test machine.
        using var files = new FileCheckpointStore(_temp.Path);
        var store = new SlowLeaseStore(files, TimeSpan.FromSeconds(1.5));

        var report = await SluicePipeline.From(Enumerable.Range(0, 4))
            .WithName("slow store")
            .WithBatchSize(1)
            .WithCheckpoints(store)
            .WithLease(TimeSpan.FromSeconds(2))
            .RunAsync((_, token) => new ValueTask(Task.Delay(900, token)));

        Assert.Equal(4, report.Succeeded);
        var leases = store.Leases.ToArray();
        Assert.True(leases.Length >= 3, $"the run of about 5 s renewed its lease only {leases.Length - 1} times");
        for (var i = 1; i < leases.Length; i++)
        {
            Assert.True(
                leases[i].AskedAt < leases[i - 1].Lease.ExpiresAt,
                $"renewal {i} was asked at {leases[i].AskedAt:HH:mm:ss.fff}, after the lease expired at {leases[i - 1].Lease.ExpiresAt:HH:mm:ss.fff}");
        }
    }

    /// <summary>A file store whose acquires and renewals return <paramref name="latency"/> after the lease was dated.</summary>
    private sealed class SlowLeaseStore(FileCheckpointStore inner, TimeSpan latency) : ICheckpointStore, IPipelineLeaseStore
    {
        public ConcurrentQueue<(DateTimeOffset AskedAt, PipelineLease Lease)> Leases { get; } = new();

        public ValueTask<long?> LoadAsync(string pipeline, string partition, CancellationToken cancellationToken = default)
            => inner.LoadAsync(pipeline, partition, cancellationToken);

        public ValueTask CommitAsync(string pipeline, string partition, long position, CancellationToken cancellationToken = default)
            => inner.CommitAsync(pipeline, partition, position, cancellationToken);

        public ValueTask<PipelineLease> AcquireLeaseAsync(string instance, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
            => SlowlyAsync(() => inner.AcquireLeaseAsync(instance, holder, duration, cancellationToken));

        public ValueTask<PipelineLease> RenewLeaseAsync(PipelineLease lease, TimeSpan duration, CancellationToken cancellationToken = default)
            => SlowlyAsync(() => inner.RenewLeaseAsync(lease, duration, cancellationToken));

        public ValueTask ReleaseLeaseAsync(PipelineLease lease, CancellationToken cancellationToken = default)
            => inner.ReleaseLeaseAsync(lease, cancellationToken);

        public ValueTask<PipelineLease?> GetLeaseAsync(string instance, CancellationToken cancellationToken = default)
            => inner.GetLeaseAsync(instance, cancellationToken);

        private async ValueTask<PipelineLease> SlowlyAsync(Func<ValueTask<PipelineLease>> call)
        {
            var askedAt = DateTimeOffset.UtcNow;
            var lease = await call();
            Leases.Enqueue((askedAt, lease));

            // Not cancellable, as a commit already on the wire is not: the run waits for it to come back.
            await Task.Delay(latency, CancellationToken.None);
            return lease;
        }
    }
}
