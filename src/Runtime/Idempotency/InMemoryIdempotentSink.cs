using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Sluice.Utils;

namespace Sluice;

/// <summary>
/// An <see cref="IIdempotentSink{T}"/> kept in memory, for tests and samples: it shows that replays and retries leave
/// exactly one record per key, and counts the writes it absorbed.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class InMemoryIdempotentSink<T> : IIdempotentSink<T>
{
    private readonly ConcurrentDictionary<string, T> _records = new(StringComparer.Ordinal);
    private readonly Func<T, string> _keySelector;
    private long _writes;

    /// <summary>Initializes a new instance that keys records with <paramref name="keySelector"/>.</summary>
    /// <param name="keySelector">Returns the record's stable key.</param>
    /// <exception cref="ArgumentNullException"><paramref name="keySelector"/> is <see langword="null"/>.</exception>
    public InMemoryIdempotentSink(Func<T, string> keySelector)
    {
        _keySelector = Guard.NotNull(keySelector);
    }

    /// <summary>Gets the stored records by key; the latest write of a key wins.</summary>
    public IReadOnlyDictionary<string, T> Records => _records;

    /// <summary>Gets how many records were written in total, duplicates included.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The key selector returned <see langword="null"/>.</exception>
    public ValueTask UpsertAsync(IReadOnlyList<T> records, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var record in records)
        {
            var key = _keySelector(record) ?? throw new InvalidOperationException("The key selector returned null.");
            _records[key] = record;
            Interlocked.Increment(ref _writes);
        }

        return ValueTask.CompletedTask;
    }
}
