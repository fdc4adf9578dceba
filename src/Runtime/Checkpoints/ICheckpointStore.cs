using System.Threading;
using System.Threading.Tasks;

namespace Sluice;

/// <summary>
/// Durable progress of a pipeline: for each pipeline and partition, the position before which every record
/// has been either processed or dead-lettered (a low-watermark). A restarted pipeline resumes there.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>Loads the committed position.</summary>
    /// <param name="pipeline">The pipeline name.</param>
    /// <param name="partition">The partition name.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The committed position, or <see langword="null"/> when nothing was ever committed.</returns>
    /// <exception cref="CorruptFileException">The stored checkpoint cannot be read; it is never silently reset.</exception>
    ValueTask<long?> LoadAsync(string pipeline, string partition, CancellationToken cancellationToken = default);

    /// <summary>Durably records that every record before <paramref name="position"/> is done.</summary>
    /// <param name="pipeline">The pipeline name.</param>
    /// <param name="partition">The partition name.</param>
    /// <param name="position">The low-watermark: 0 or more.</param>
    /// <param name="cancellationToken">Cancels the commit before it starts.</param>
    /// <returns>A task that completes once the position is durable.</returns>
    ValueTask CommitAsync(string pipeline, string partition, long position, CancellationToken cancellationToken = default);
}
