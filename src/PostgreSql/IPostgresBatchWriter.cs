using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Sluice.PostgreSql;

/// <summary>
/// Writes a batch of records inside a transaction it is given, so that <see cref="PostgresTransactionalSink{T}"/> can
/// commit the records together with their dead letters and the checkpoint advance.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public interface IPostgresBatchWriter<T>
{
    /// <summary>Writes <paramref name="records"/> on <paramref name="connection"/> within <paramref name="transaction"/>; never commits.</summary>
    /// <param name="records">The records, in source order; not empty.</param>
    /// <param name="connection">The open connection of the transaction.</param>
    /// <param name="transaction">The transaction to write in.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the statements have run.</returns>
    ValueTask WriteAsync(IReadOnlyList<T> records, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken = default);
}
