using System.Collections.Concurrent;

namespace Sluice.Runtime.Tests.Support;

/// <summary>
/// A file store whose renewals can be made slow (answered <see cref="Latency"/> after the lease was dated), or failed
/// or held up by <see cref="BeforeRenewal"/>, which is given the renewal's number from 1; and whose release can be
/// failed by <see cref="BeforeRelease"/>, as a database store's is when its connection just dropped.
/// </summary>
internal sealed class ScriptedLeaseStore(FileCheckpointStore inner) : ICheckpointStore, IPipelineLeaseStore
{
    private int _renewals;
    private int _releases;

    public TimeSpan Latency { get; init; }

    public Func<int, CancellationToken, Task>? BeforeRenewal { get; init; }

    public Func<Task>? BeforeRelease { get; init; }

    /// <summary>Every lease given out, with when it was asked for.</summary>
    public ConcurrentQueue<(DateTimeOffset AskedAt, PipelineLease Lease)> Leases { get; } = new();

    public int Renewals => Volatile.Read(ref _renewals);

    public int Releases => Volatile.Read(ref _releases);

    public ValueTask<long?> LoadAsync(string pipeline, string partition, CancellationToken cancellationToken = default)
        => inner.LoadAsync(pipeline, partition, cancellationToken);

    public ValueTask CommitAsync(string pipeline, string partition, long position, CancellationToken cancellationToken = default)
        => inner.CommitAsync(pipeline, partition, position, cancellationToken);

    public async ValueTask<PipelineLease> AcquireLeaseAsync(string instance, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var askedAt = DateTimeOffset.UtcNow;
        var lease = await inner.AcquireLeaseAsync(instance, holder, duration, cancellationToken);
        Leases.Enqueue((askedAt, lease));
        return lease;
    }

    public async ValueTask<PipelineLease> RenewLeaseAsync(PipelineLease lease, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var renewal = Interlocked.Increment(ref _renewals);
        if (BeforeRenewal is { } before)
        {
            await before(renewal, cancellationToken);
        }

        var askedAt = DateTimeOffset.UtcNow;
        var renewed = await inner.RenewLeaseAsync(lease, duration, cancellationToken);
        Leases.Enqueue((askedAt, renewed));

        // Not cancellable, as a commit already on the wire is not: the run waits for it to come back.
        await Task.Delay(Latency, CancellationToken.None);
        return renewed;
    }

    public async ValueTask ReleaseLeaseAsync(PipelineLease lease, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _releases);
        if (BeforeRelease is { } before)
        {
            await before();
        }

        await inner.ReleaseLeaseAsync(lease, cancellationToken);
    }

    public ValueTask<PipelineLease?> GetLeaseAsync(string instance, CancellationToken cancellationToken = default)
        => inner.GetLeaseAsync(instance, cancellationToken);
}
