using System;
using System.Collections.Generic;
using System.Linq;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Sluice.Contract;
using Sluice.Utils;

namespace Sluice;

/// <summary>
/// Streams a source in fixed-size batches so memory stays proportional to one batch, never to the dataset.
/// Every batch is a new array that the caller may keep.
/// </summary>
public static class SluiceBatchingExtensions
{
    /// <summary>The largest batch size accepted.</summary>
    public const int MaxBatchSize = RuntimeContract.Batching.MaxBatchSize;

    /// <summary>Splits <paramref name="source"/> into consecutive batches of <paramref name="size"/> items (the last may be smaller).</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The items, enumerated once and lazily.</param>
    /// <param name="size">Items per batch: 1 to <see cref="MaxBatchSize"/>.</param>
    /// <returns>The batches, each a new array.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is outside 1 to <see cref="MaxBatchSize"/>.</exception>
    public static IEnumerable<T[]> InBatches<T>(this IEnumerable<T> source, int size)
    {
        Guard.NotNull(source);
        Guard.InRange(size, 1, MaxBatchSize);
        return Batch(source, size);
    }

    /// <summary>Splits <paramref name="source"/> into consecutive batches of <paramref name="size"/> items (the last may be smaller).</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The items, enumerated once and lazily; cancellation given to the result flows to it.</param>
    /// <param name="size">Items per batch: 1 to <see cref="MaxBatchSize"/>.</param>
    /// <returns>The batches, each a new array.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is outside 1 to <see cref="MaxBatchSize"/>.</exception>
    [OverloadResolutionPriority(1)]
    public static IAsyncEnumerable<T[]> InBatches<T>(this IAsyncEnumerable<T> source, int size)
    {
        Guard.NotNull(source);
        Guard.InRange(size, 1, MaxBatchSize);
        return BatchAsync(source, size, CancellationToken.None);
    }

    /// <summary>
    /// Streams the results of <paramref name="source"/> in batches of <paramref name="size"/>, through one query.
    /// When the query is also an <see cref="IAsyncEnumerable{T}"/> (as EF Core queries and <c>DbSet</c>s are), rows are
    /// read asynchronously; otherwise the query is enumerated synchronously.
    /// </summary>
    /// <remarks>
    /// Takes precedence over the other overloads for a source that is both queryable and enumerable. The query stays
    /// open for the whole enumeration; for very long runs prefer
    /// <see cref="InKeysetBatches{T, TKey}(IQueryable{T}, Expression{Func{T, TKey}}, int)"/>, which issues a short query per batch.
    /// </remarks>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="source">The query.</param>
    /// <param name="size">Rows per batch: 1 to <see cref="MaxBatchSize"/>.</param>
    /// <returns>The batches, each a new array.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is outside 1 to <see cref="MaxBatchSize"/>.</exception>
    [OverloadResolutionPriority(2)]
    public static IAsyncEnumerable<T[]> InBatches<T>(this IQueryable<T> source, int size)
    {
        Guard.NotNull(source);
        Guard.InRange(size, 1, MaxBatchSize);
        return source is IAsyncEnumerable<T> asyncSource
            ? BatchAsync(asyncSource, size, CancellationToken.None)
            : BatchSynchronousAsync(source, size, CancellationToken.None);
    }

    /// <summary>
    /// Pages through <paramref name="source"/> by key (keyset pagination): each batch is a fresh query
    /// <c>source.Where(key &gt; last).OrderBy(key).Take(size)</c>, so no query or cursor stays open between batches
    /// and every page is found through the key's index.
    /// </summary>
    /// <remarks>
    /// The key must be unique and must not change while paging; rows inserted behind the cursor are not seen.
    /// <paramref name="source"/> must not already be ordered or limited.
    /// </remarks>
    /// <typeparam name="T">The row type.</typeparam>
    /// <typeparam name="TKey">The key type, compared with <c>&gt;</c> or <see cref="IComparable{T}.CompareTo(T)"/>.</typeparam>
    /// <param name="source">The rows to page through.</param>
    /// <param name="keySelector">The unique key, e.g. <c>o =&gt; o.Id</c>.</param>
    /// <param name="size">Rows per batch: 1 to <see cref="MaxBatchSize"/>.</param>
    /// <returns>The batches in key order, each a new array.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="keySelector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is outside 1 to <see cref="MaxBatchSize"/>.</exception>
    public static IAsyncEnumerable<T[]> InKeysetBatches<T, TKey>(this IQueryable<T> source, Expression<Func<T, TKey>> keySelector, int size)
        where TKey : IComparable<TKey>
    {
        Guard.NotNull(source);
        Guard.NotNull(keySelector);
        Guard.InRange(size, 1, MaxBatchSize);
        return KeysetBatchesAsync(source, keySelector, size, CancellationToken.None);
    }

    private static IEnumerable<T[]> Batch<T>(IEnumerable<T> source, int size)
    {
        var batch = new List<T>(Math.Min(size, 1024));
        foreach (var item in source)
        {
            batch.Add(item);
            if (batch.Count == size)
            {
                yield return batch.ToArray();
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            yield return batch.ToArray();
        }
    }

    private static async IAsyncEnumerable<T[]> BatchAsync<T>(IAsyncEnumerable<T> source, int size, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<T>(Math.Min(size, 1024));
        await foreach (var item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            batch.Add(item);
            if (batch.Count == size)
            {
                yield return batch.ToArray();
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            yield return batch.ToArray();
        }
    }

    private static async IAsyncEnumerable<T[]> BatchSynchronousAsync<T>(IEnumerable<T> source, int size, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var batch in Batch(source, size))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return batch;
        }
    }

    private static async IAsyncEnumerable<T[]> KeysetBatchesAsync<T, TKey>(IQueryable<T> source, Expression<Func<T, TKey>> keySelector, int size, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TKey : IComparable<TKey>
    {
        var keyOf = keySelector.Compile();
        var page = await ReadPageAsync(source.OrderBy(keySelector).Take(size), size, cancellationToken).ConfigureAwait(false);
        while (page.Length > 0)
        {
            yield return page;
            if (page.Length < size)
            {
                yield break;
            }

            var after = AfterKey(keySelector, new KeysetCursor<TKey>(keyOf(page[^1])));
            page = await ReadPageAsync(source.Where(after).OrderBy(keySelector).Take(size), size, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask<T[]> ReadPageAsync<T>(IQueryable<T> page, int size, CancellationToken cancellationToken)
    {
        if (page is IAsyncEnumerable<T> asyncPage)
        {
            var rows = new List<T>(Math.Min(size, 1024));
            await foreach (var row in asyncPage.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(row);
            }

            return rows.ToArray();
        }

        return page.ToArray();
    }

    // key > cursor.Last, read from a field rather than a constant so that query providers
    // turn it into a parameter and reuse one plan for every page.
    private static Expression<Func<T, bool>> AfterKey<T, TKey>(Expression<Func<T, TKey>> keySelector, KeysetCursor<TKey> cursor)
        where TKey : IComparable<TKey>
    {
        var key = keySelector.Body;
        Expression last = Expression.Field(Expression.Constant(cursor), typeof(KeysetCursor<TKey>).GetField(nameof(KeysetCursor<TKey>.Last))!);
        Expression comparison;
        try
        {
            comparison = Expression.GreaterThan(key, last);
        }
        catch (InvalidOperationException)
        {
            // No > operator (string, for instance): fall back to CompareTo, which query providers translate too.
            // string.Compare follows the same collation as OrderBy, both in memory and in SQL.
            var compare = typeof(TKey) == typeof(string)
                ? Expression.Call(typeof(string).GetMethod(nameof(string.Compare), BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(string)])!, key, last)
                : Expression.Call(Expression.Convert(key, typeof(IComparable<TKey>)), typeof(IComparable<TKey>).GetMethod(nameof(IComparable<TKey>.CompareTo))!, last);
            comparison = Expression.GreaterThan(compare, Expression.Constant(0));
        }

        return Expression.Lambda<Func<T, bool>>(comparison, keySelector.Parameters);
    }

    private sealed class KeysetCursor<TKey>(TKey last)
    {
        public readonly TKey Last = last;
    }
}
