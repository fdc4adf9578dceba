using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Sluice.Utils;

namespace Sluice;

/// <summary>
/// Feeds stored dead letters back through a handler (typically the pipeline's own, once the cause is fixed) and removes
/// from the store only those that now succeed; those that fail again stay, unchanged, and are reported.
/// </summary>
public static class DeadLetterReplay
{
    /// <summary>How many successes are removed from the store at a time while a replay runs.</summary>
    public const int RemoveBatchSize = 100;

    /// <summary>Replays the dead letters of <paramref name="store"/> that match <paramref name="query"/>, one at a time, oldest first.</summary>
    /// <param name="store">The dead-letter store.</param>
    /// <param name="query">Which dead letters, e.g. <c>new DeadLetterQuery { Instance = "orders-import@2026-11-30" }</c>; <see langword="null"/> replays all.</param>
    /// <param name="handler">
    /// Processes one dead letter; it reads the record with <see cref="DeadLetter.PayloadAs{T}()"/> (or the overload taking a
    /// <c>JsonTypeInfo</c>). Returning normally means the record is done; throwing keeps it.
    /// </param>
    /// <param name="cancellationToken">Stops the replay; successes so far are removed before <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns>What succeeded and what failed again.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// A crash during a replay can replay again records that succeeded but were not yet removed (at most
    /// <see cref="RemoveBatchSize"/>), so the handler should be idempotent, as pipeline handlers are.
    /// </remarks>
    public static async Task<DeadLetterReplayReport> ReplayAsync(
        IDeadLetterStore store,
        DeadLetterQuery? query,
        Func<DeadLetter, CancellationToken, ValueTask> handler,
        CancellationToken cancellationToken = default)
    {
        Guard.NotNull(store);
        Guard.NotNull(handler);
        var pending = new List<string>(RemoveBatchSize);
        var failures = new List<DeadLetterReplayFailure>();
        var succeeded = 0;
        var withoutId = 0;
        try
        {
            await foreach (var letter in store.ReadAsync(query, cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    await handler(letter, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception e)
                {
                    failures.Add(new DeadLetterReplayFailure { DeadLetter = letter, ErrorType = e.GetType().FullName ?? e.GetType().Name, ErrorMessage = e.Message });
                    continue;
                }

                succeeded++;
                if (letter.Id is { } id)
                {
                    pending.Add(id);
                    if (pending.Count == RemoveBatchSize)
                    {
                        await store.DeleteAsync(pending, CancellationToken.None).ConfigureAwait(false);
                        pending.Clear();
                    }
                }
                else
                {
                    withoutId++;
                }
            }
        }
        finally
        {
            if (pending.Count > 0)
            {
                await store.DeleteAsync(pending, CancellationToken.None).ConfigureAwait(false);
            }
        }

        return new DeadLetterReplayReport { Succeeded = succeeded, Failed = failures, SucceededWithoutId = withoutId };
    }
}

/// <summary>What a replay did.</summary>
public sealed record DeadLetterReplayReport
{
    /// <summary>Gets how many dead letters succeeded and were removed from the store.</summary>
    public int Succeeded { get; init; }

    /// <summary>Gets how many of the successes had no id and so could not be removed (dead letters written by hand without one).</summary>
    public int SucceededWithoutId { get; init; }

    /// <summary>Gets the dead letters that failed again, with the new error; they stay in the store unchanged.</summary>
    public required IReadOnlyList<DeadLetterReplayFailure> Failed { get; init; }
}

/// <summary>A dead letter that failed again during a replay.</summary>
public sealed record DeadLetterReplayFailure
{
    /// <summary>Gets the dead letter, as stored.</summary>
    public required DeadLetter DeadLetter { get; init; }

    /// <summary>Gets the full name of the exception type of the new failure.</summary>
    public required string ErrorType { get; init; }

    /// <summary>Gets the new failure's message.</summary>
    public required string ErrorMessage { get; init; }
}
