using System;
using System.Threading;
using System.Threading.Tasks;
using Sluice.Utils;

namespace Sluice;

/// <summary>Conveniences over <see cref="IDeadLetterSink"/> for code that dead-letters from a <c>catch</c> block.</summary>
public static class SluiceDeadLetterSinkExtensions
{
    /// <summary>Stores one dead letter; completes once it is durable.</summary>
    /// <param name="sink">The sink.</param>
    /// <param name="deadLetter">The dead letter, e.g. from <see cref="DeadLetter.From{T}"/>.</param>
    /// <param name="cancellationToken">Cancels the write before it starts.</param>
    /// <returns>A task that completes when the dead letter is durable.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sink"/> or <paramref name="deadLetter"/> is <see langword="null"/>.</exception>
    public static ValueTask WriteAsync(this IDeadLetterSink sink, DeadLetter deadLetter, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(sink);
        Guard.NotNull(deadLetter);
        return sink.WriteAsync([deadLetter], cancellationToken);
    }

    /// <summary>
    /// Stores one dead letter from synchronous code, blocking until it is durable. For loops that cannot await (legacy
    /// synchronous jobs); prefer <see cref="WriteAsync(IDeadLetterSink, DeadLetter, CancellationToken)"/> where you can.
    /// </summary>
    /// <param name="sink">The sink.</param>
    /// <param name="deadLetter">The dead letter, e.g. from <see cref="DeadLetter.From{T}"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sink"/> or <paramref name="deadLetter"/> is <see langword="null"/>.</exception>
    public static void Write(this IDeadLetterSink sink, DeadLetter deadLetter)
    {
        var write = WriteAsync(sink, deadLetter, CancellationToken.None);
        if (!write.IsCompletedSuccessfully)
        {
            // The embedded sinks never capture a synchronization context, so blocking here cannot deadlock on one.
            write.AsTask().GetAwaiter().GetResult();
        }
    }
}
