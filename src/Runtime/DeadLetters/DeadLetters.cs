using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Sluice.Utils;

namespace Sluice;

/// <summary>Reads dead letters back from the files <see cref="JsonLinesDeadLetterSink"/> writes, for inspection and replay.</summary>
public static class DeadLetters
{
    /// <summary>Streams the dead letters of one JSON Lines file, in the order they were written.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The dead letters, read lazily one line at a time.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="FileNotFoundException">While enumerating: the file does not exist.</exception>
    /// <exception cref="CorruptFileException">While enumerating: a line is not a dead letter; the message names the file and line.</exception>
    public static IAsyncEnumerable<DeadLetter> ReadAsync(string path, CancellationToken cancellationToken = default)
        => ReadCoreAsync(DurableFile.FullPath(path, nameof(path)), cancellationToken);

    /// <summary>
    /// Streams the dead letters of a file and of its rotated predecessors (<c>path.1</c>, <c>path.2</c>, ...),
    /// oldest first, ending with <paramref name="path"/> itself when it exists.
    /// </summary>
    /// <param name="path">The current file.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The dead letters, read lazily one line at a time.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="CorruptFileException">While enumerating: a line is not a dead letter; the message names the file and line.</exception>
    public static IAsyncEnumerable<DeadLetter> ReadAllAsync(string path, CancellationToken cancellationToken = default)
        => ReadAllCoreAsync(DurableFile.FullPath(path, nameof(path)), cancellationToken);

    private static async IAsyncEnumerable<DeadLetter> ReadAllCoreAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var highest = JsonLinesDeadLetterSink.HighestRotation(path);
        for (var index = 1; index <= highest; index++)
        {
            var rotated = JsonLinesDeadLetterSink.RotatedPath(path, index);
            if (!File.Exists(rotated))
            {
                continue;
            }

            await foreach (var deadLetter in ReadCoreAsync(rotated, cancellationToken).ConfigureAwait(false))
            {
                yield return deadLetter;
            }
        }

        if (File.Exists(path))
        {
            await foreach (var deadLetter in ReadCoreAsync(path, cancellationToken).ConfigureAwait(false))
            {
                yield return deadLetter;
            }
        }
    }

    private static async IAsyncEnumerable<DeadLetter> ReadCoreAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.SequentialScan | FileOptions.Asynchronous));
        long lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return Parse(path, lineNumber, line);
        }
    }

    private static DeadLetter Parse(string path, long lineNumber, string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, SluiceJsonContext.Default.DeadLetter)
                ?? throw new CorruptFileException(path, lineNumber, "the line is null, not a dead letter.");
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(path, lineNumber, "the line is not a valid dead letter: " + e.Message, e);
        }
    }
}
