using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Sluice;

/// <summary>Durable storage for records that could not be processed.</summary>
public interface IDeadLetterSink
{
    /// <summary>
    /// Stores <paramref name="deadLetters"/>. The returned task completes only when they are durable:
    /// a pipeline treats the records as done (and may checkpoint past them) once it does.
    /// </summary>
    /// <param name="deadLetters">The dead letters to store, in order.</param>
    /// <param name="cancellationToken">Cancels the write before it starts.</param>
    /// <returns>A task that completes when the dead letters are durable.</returns>
    ValueTask WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default);
}
