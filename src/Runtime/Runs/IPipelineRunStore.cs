using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Sluice;

/// <summary>
/// Keeps the run records of pipeline instances. A pipeline whose checkpoint store also implements this interface
/// records each run, and refuses to run an instance whose last run completed (see <see cref="PipelineInstanceCompletedException"/>).
/// <see cref="FileCheckpointStore"/> implements it; a database store implements it with a table keyed by run id.
/// </summary>
public interface IPipelineRunStore
{
    /// <summary>Inserts or replaces the record with the same <see cref="PipelineRunRecord.RunId"/>, durably.</summary>
    /// <param name="run">The record.</param>
    /// <param name="cancellationToken">Cancels the write before it starts.</param>
    /// <returns>A task that completes once the record is durable.</returns>
    ValueTask SaveRunAsync(PipelineRunRecord run, CancellationToken cancellationToken = default);

    /// <summary>Loads one run.</summary>
    /// <param name="runId">The run id.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The record, or <see langword="null"/> when there is none.</returns>
    ValueTask<PipelineRunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Lists runs, newest first.</summary>
    /// <param name="instance">Only the runs of this instance key (<see cref="PipelineInstance.Key"/>), or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The records.</returns>
    IAsyncEnumerable<PipelineRunRecord> ListRunsAsync(string? instance = null, CancellationToken cancellationToken = default);
}
