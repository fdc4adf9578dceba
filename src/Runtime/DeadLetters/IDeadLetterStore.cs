using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Sluice;

/// <summary>
/// A dead-letter sink that can also be read and purged: what operators and replays need (the <c>sluice dead-letters</c>
/// commands, <see cref="DeadLetterReplay"/>). <see cref="JsonLinesDeadLetterSink"/> implements it over its file; a database
/// store implements it over a table keyed by <see cref="DeadLetter.Id"/>.
/// </summary>
public interface IDeadLetterStore : IDeadLetterSink
{
    /// <summary>Gets where the dead letters are kept (a file path, or a database and table without credentials), for run records and operators.</summary>
    string Location { get; }

    /// <summary>Reads the stored dead letters that match <paramref name="query"/>, oldest first, one per <see cref="DeadLetter.Id"/> (the latest written).</summary>
    /// <param name="query">The filter; <see langword="null"/> reads all.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The dead letters.</returns>
    IAsyncEnumerable<DeadLetter> ReadAsync(DeadLetterQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Removes the dead letters with the given ids (every copy of each).</summary>
    /// <param name="ids">The ids to remove.</param>
    /// <param name="cancellationToken">Cancels the removal before it starts.</param>
    /// <returns>How many distinct ids were found and removed.</returns>
    ValueTask<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);
}
