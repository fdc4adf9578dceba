using System;
using System.Threading;
using System.Threading.Tasks;

namespace Sluice;

/// <summary>
/// Grants one run at a time per pipeline instance. A pipeline whose checkpoint store also implements this interface
/// takes the lease before it reads a record, renews it while it runs and releases it at the end; a crashed holder's lease
/// expires. <see cref="FileCheckpointStore"/> implements it with lease files; a database store implements it with a row
/// updated under a condition on its expiry (or an advisory lock).
/// </summary>
public interface IPipelineLeaseStore
{
    /// <summary>Takes the instance's lease, or fails at once when a live holder has it.</summary>
    /// <param name="instance">The instance key.</param>
    /// <param name="holder">Who asks, for error messages and operators.</param>
    /// <param name="duration">How long the lease lasts unless renewed.</param>
    /// <param name="cancellationToken">Cancels the acquisition.</param>
    /// <returns>The lease.</returns>
    /// <exception cref="PipelineInstanceBusyException">Another holder's lease has not expired.</exception>
    ValueTask<PipelineLease> AcquireLeaseAsync(string instance, string holder, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Extends a lease this holder still has.</summary>
    /// <param name="lease">The lease as last acquired or renewed.</param>
    /// <param name="duration">How long from now the lease lasts.</param>
    /// <param name="cancellationToken">Cancels the renewal.</param>
    /// <returns>The renewed lease.</returns>
    /// <exception cref="PipelineInstanceBusyException">The lease expired and another holder took it.</exception>
    ValueTask<PipelineLease> RenewLeaseAsync(PipelineLease lease, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Gives a lease back; does nothing when another holder has taken it since.</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="cancellationToken">Cancels the release.</param>
    /// <returns>A task that completes once the lease is free.</returns>
    ValueTask ReleaseLeaseAsync(PipelineLease lease, CancellationToken cancellationToken = default);

    /// <summary>Reads the current lease of an instance, for operators.</summary>
    /// <param name="instance">The instance key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The lease, expired or not, or <see langword="null"/> when none is held.</returns>
    ValueTask<PipelineLease?> GetLeaseAsync(string instance, CancellationToken cancellationToken = default);
}
