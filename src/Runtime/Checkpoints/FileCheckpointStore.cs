using System;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Sluice.Checkpoints;
using Sluice.Utils;

namespace Sluice;

/// <summary>
/// Keeps checkpoints as small JSON files in one directory, one file per pipeline and partition. A commit writes a
/// temporary file, flushes it to disk and renames it over the old one, so a crash leaves either the old or the new
/// checkpoint, never a mix; the directory is then flushed too, so the rename itself survives a power loss.
/// The same directory keeps the run records (<c>runs/</c>) and the instance leases (<c>leases/</c>), so a pipeline with
/// this store refuses to re-run a completed instance and runs one instance at a time.
/// </summary>
public sealed partial class FileCheckpointStore : ICheckpointStore, IDisposable
{
    private const string FileSuffix = ".checkpoint.json";
    private readonly SemaphoreSlim _commitLock = new(1, 1);

    /// <summary>Initializes a new instance storing its files in <paramref name="directory"/>, created when missing.</summary>
    /// <param name="directory">The directory.</param>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty or not a valid path.</exception>
    public FileCheckpointStore(string directory)
    {
        Directory = DurableFile.FullPath(directory, nameof(directory));
    }

    /// <summary>Gets the full path of the directory holding the checkpoint files.</summary>
    public string Directory { get; }

    /// <summary>Gets the file that holds the checkpoint of <paramref name="pipeline"/> and <paramref name="partition"/>.</summary>
    /// <param name="pipeline">The pipeline name.</param>
    /// <param name="partition">The partition name.</param>
    /// <returns>The full path; names are escaped so that any pipeline or partition name is a safe file name.</returns>
    /// <exception cref="ArgumentNullException">A name is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A name is empty or white space.</exception>
    public string GetPath(string pipeline, string partition)
    {
        Guard.NotNullOrWhiteSpace(pipeline);
        Guard.NotNullOrWhiteSpace(partition);

        // '@' is always escaped by EscapeDataString, so it separates the two names unambiguously.
        return Path.Combine(Directory, Uri.EscapeDataString(pipeline) + "@" + Uri.EscapeDataString(partition) + FileSuffix);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException">A name is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A name is empty or white space.</exception>
    public async ValueTask<long?> LoadAsync(string pipeline, string partition, CancellationToken cancellationToken = default)
    {
        var path = GetPath(pipeline, partition);
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        CheckpointFile? checkpoint;
        try
        {
            checkpoint = JsonSerializer.Deserialize(content, SluiceJsonContext.Default.CheckpointFile);
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(path, null, "not a valid checkpoint: " + e.Message, e);
        }

        if (checkpoint is null)
        {
            throw new CorruptFileException(path, null, "the checkpoint is empty.");
        }

        if (checkpoint.Pipeline != pipeline || checkpoint.Partition != partition)
        {
            throw new CorruptFileException(path, null, $"the checkpoint belongs to pipeline '{checkpoint.Pipeline}', partition '{checkpoint.Partition}'.");
        }

        if (checkpoint.Position < 0)
        {
            throw new CorruptFileException(path, null, $"the checkpoint position {checkpoint.Position} is negative.");
        }

        return checkpoint.Position;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException">A name is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A name is empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is negative.</exception>
    public async ValueTask CommitAsync(string pipeline, string partition, long position, CancellationToken cancellationToken = default)
    {
        var path = GetPath(pipeline, partition);
        Guard.InRange(position, 0, long.MaxValue);
        var content = JsonSerializer.SerializeToUtf8Bytes(
            new CheckpointFile { Pipeline = pipeline, Partition = partition, Position = position, CommittedAt = DateTimeOffset.UtcNow },
            SluiceJsonContext.Default.CheckpointFile);

        await _commitLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            using (var stream = new FileStream(temporary, DurableFile.CreateOptions(FileMode.CreateNew, FileAccess.Write, FileShare.None)))
            {
                await stream.WriteAsync(content, CancellationToken.None).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            DirectorySync.Flush(Directory);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        finally
        {
            _commitLock.Release();
        }
    }

    /// <summary>Releases the commit lock.</summary>
    public void Dispose() => _commitLock.Dispose();

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The commit's own failure is the one worth reporting.
        }
        catch (UnauthorizedAccessException)
        {
            // Same: keep the original exception.
        }
    }
}
