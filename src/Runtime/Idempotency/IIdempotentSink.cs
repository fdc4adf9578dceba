using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Sluice;

/// <summary>
/// A destination that stores records by key with upsert semantics, so writing the same record again (after a retry
/// or a restart from a checkpoint) leaves exactly one copy.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public interface IIdempotentSink<T>
{
    /// <summary>Inserts or replaces each record under its key; the task completes once the batch is stored.</summary>
    /// <param name="records">The records to store.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the batch is stored.</returns>
    ValueTask UpsertAsync(IReadOnlyList<T> records, CancellationToken cancellationToken = default);
}
