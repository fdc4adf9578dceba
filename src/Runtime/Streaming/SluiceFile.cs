using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using Sluice.Utils;

namespace Sluice;

/// <summary>Reads text files one line at a time, or one batch of lines at a time, instead of loading them whole.</summary>
public static class SluiceFile
{
    private const int ReadBufferSize = 64 * 1024;

    /// <summary>Streams the lines of a text file (UTF-8 unless a byte-order mark says otherwise).</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The lines, without their line terminators, read lazily.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="FileNotFoundException">While enumerating: the file does not exist.</exception>
    public static IAsyncEnumerable<string> ReadLinesAsync(string path, CancellationToken cancellationToken = default)
        => ReadLinesCoreAsync(DurableFile.FullPath(path, nameof(path)), cancellationToken);

    /// <summary>Streams the lines of a text file in batches of <paramref name="size"/> lines.</summary>
    /// <param name="path">The file.</param>
    /// <param name="size">Lines per batch: 1 to <see cref="SluiceBatchingExtensions.MaxBatchSize"/>.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The batches, each a new array.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is outside 1 to <see cref="SluiceBatchingExtensions.MaxBatchSize"/>.</exception>
    public static IAsyncEnumerable<string[]> ReadLineBatchesAsync(string path, int size, CancellationToken cancellationToken = default)
    {
        var fullPath = DurableFile.FullPath(path, nameof(path));
        Guard.InRange(size, 1, SluiceBatchingExtensions.MaxBatchSize);
        return ReadLinesCoreAsync(fullPath, cancellationToken).InBatches(size);
    }

    /// <summary>Streams the lines of a text file synchronously (UTF-8 unless a byte-order mark says otherwise).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The lines, read lazily.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    public static IEnumerable<string> ReadLines(string path) => ReadLinesCore(DurableFile.FullPath(path, nameof(path)));

    private static IEnumerable<string> ReadLinesCore(string path)
    {
        using var reader = OpenReader(path, FileOptions.SequentialScan);
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    private static async IAsyncEnumerable<string> ReadLinesCoreAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = OpenReader(path, FileOptions.SequentialScan | FileOptions.Asynchronous);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            yield return line;
        }
    }

    private static StreamReader OpenReader(string path, FileOptions options)
        => new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ReadBufferSize, options), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
}
