using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Sluice.Utils;

namespace Sluice;

/// <summary>
/// Appends dead letters to a JSON Lines file (one JSON object per line), flushed to disk before each write returns.
/// The file is created readable and writable by its owner only (on Unix), rotated by size, and read back with
/// <see cref="DeadLetters.ReadAsync(string, CancellationToken)"/>.
/// </summary>
/// <remarks>Safe to share between threads and pipelines of one process; writes are serialized.</remarks>
public sealed class JsonLinesDeadLetterSink : IDeadLetterStore, IDisposable
{
    private const byte NewLine = (byte)'\n';

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly long _maxFileSizeBytes;
    private readonly Func<DeadLetter, DeadLetter>? _redact;

    /// <summary>Initializes a new instance writing to <paramref name="path"/>.</summary>
    /// <param name="path">The file to append to; its directory is created when missing.</param>
    /// <param name="options">Rotation and redaction settings; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="JsonLinesDeadLetterSinkOptions.MaxFileSizeBytes"/> is negative or below the minimum.</exception>
    public JsonLinesDeadLetterSink(string path, JsonLinesDeadLetterSinkOptions? options = null)
    {
        Path = DurableFile.FullPath(path, nameof(path));
        options ??= new JsonLinesDeadLetterSinkOptions();
        if (options.MaxFileSizeBytes != 0)
        {
            Guard.InRange(options.MaxFileSizeBytes, JsonLinesDeadLetterSinkOptions.MinimumRotationSize, long.MaxValue, "options.MaxFileSizeBytes");
        }

        _maxFileSizeBytes = options.MaxFileSizeBytes;
        _redact = options.Redact;
    }

    /// <summary>Gets the full path of the current file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="deadLetters"/> or one of its items is <see langword="null"/>.</exception>
    public async ValueTask WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(deadLetters);
        if (deadLetters.Count == 0)
        {
            return;
        }

        var lines = Serialize(deadLetters);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // From here on the write is not cancelled: a half-written batch is worse than a late one.
            var directory = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
            {
                DurableFile.CreateOwnerOnlyDirectory(directory);
            }

            var rotated = RotateIfFull(lines.WrittenCount);
            var created = !File.Exists(Path);
            using (var stream = new FileStream(Path, DurableFile.CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read)))
            {
                await SeparateFromTornLineAsync(stream).ConfigureAwait(false);
                await stream.WriteAsync(lines.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            // A new or renamed file is only durable once its directory entry is.
            if (created || rotated)
            {
                DirectorySync.Flush(System.IO.Path.GetDirectoryName(Path)!);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc/>
    public string Location => Path;

    /// <inheritdoc/>
    /// <remarks>Reads the rotated files and the current one; a dead letter written again after a restart (same id) appears once, as last written.</remarks>
    /// <exception cref="CorruptFileException">While enumerating: a line is not a dead letter; the message names the file and line.</exception>
    public async IAsyncEnumerable<DeadLetter> ReadAsync(DeadLetterQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var letters = new List<DeadLetter>();
        var indexById = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var letter in DeadLetters.ReadAllAsync(Path, cancellationToken).ConfigureAwait(false))
        {
            if (query is not null && !query.Matches(letter))
            {
                continue;
            }

            if (letter.Id is { } id && indexById.TryGetValue(id, out var index))
            {
                letters[index] = letter;
            }
            else
            {
                if (letter.Id is { } newId)
                {
                    indexById[newId] = letters.Count;
                }

                letters.Add(letter);
            }
        }

        foreach (var letter in letters)
        {
            yield return letter;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Each file that holds one of the ids is rewritten without those lines and replaced atomically; lines that cannot be
    /// read are kept as they are. Another process appending to the same file at that moment may fail its write (and its
    /// run then resumes from its checkpoint), so purge once the pipelines writing here are idle.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> is <see langword="null"/>.</exception>
    public async ValueTask<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(ids);
        if (ids.Count == 0)
        {
            return 0;
        }

        var wanted = new HashSet<string>(ids, StringComparer.Ordinal);
        var removed = new HashSet<string>(StringComparer.Ordinal);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var files = new List<string>();
            for (var index = 1; index <= HighestRotation(Path); index++)
            {
                files.Add(RotatedPath(Path, index));
            }

            files.Add(Path);
            foreach (var file in files)
            {
                if (File.Exists(file))
                {
                    await RemoveLinesAsync(file, wanted, removed).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _writeLock.Release();
        }

        return removed.Count;
    }

    private static async ValueTask RemoveLinesAsync(string file, HashSet<string> wanted, HashSet<string> removed)
    {
        // Held exclusively while it is rewritten, so no writer appends a line that the replacement would drop.
        using var stream = new FileStream(file, DurableFile.CreateOptions(FileMode.Open, FileAccess.ReadWrite, FileShare.None));
        var kept = new MemoryStream();
        var changed = false;
        using (var reader = new StreamReader(stream, leaveOpen: true))
        {
            while (await reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
            {
                if (IdOf(line) is { } id && wanted.Contains(id))
                {
                    removed.Add(id);
                    changed = true;
                    continue;
                }

                if (line.Length > 0)
                {
                    var bytes = System.Text.Encoding.UTF8.GetBytes(line);
                    kept.Write(bytes);
                    kept.WriteByte(NewLine);
                }
            }
        }

        if (changed)
        {
            await DurableFile.WriteAtomicallyAsync(file, kept.ToArray()).ConfigureAwait(false);
        }
    }

    private static string? IdOf(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, SluiceJsonContext.Default.DeadLetter)?.Id;
        }
        catch (JsonException)
        {
            // Unreadable lines are kept: a human decides what they were.
            return null;
        }
    }

    /// <summary>Releases the write lock.</summary>
    public void Dispose() => _writeLock.Dispose();

    private ArrayBufferWriter<byte> Serialize(IReadOnlyList<DeadLetter> deadLetters)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * deadLetters.Count);
        using var writer = new Utf8JsonWriter(buffer);
        for (var i = 0; i < deadLetters.Count; i++)
        {
            var deadLetter = deadLetters[i] ?? throw new ArgumentNullException(nameof(deadLetters), $"deadLetters[{i}] is null.");
            if (_redact is not null)
            {
                deadLetter = _redact(deadLetter) ?? throw new InvalidOperationException("The redaction hook returned null.");
            }

            JsonSerializer.Serialize(writer, deadLetter, SluiceJsonContext.Default.DeadLetter);
            writer.Flush();
            writer.Reset();
            buffer.Write([NewLine]);
        }

        return buffer;
    }

    private bool RotateIfFull(int incomingBytes)
    {
        if (_maxFileSizeBytes == 0)
        {
            return false;
        }

        var current = new FileInfo(Path);
        if (!current.Exists || current.Length == 0 || current.Length + incomingBytes <= _maxFileSizeBytes)
        {
            return false;
        }

        File.Move(Path, RotatedPath(Path, HighestRotation(Path) + 1));
        return true;
    }

    internal static string RotatedPath(string path, int index) => path + "." + index.ToString(CultureInfo.InvariantCulture);

    internal static int HighestRotation(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path)!;
        var prefix = System.IO.Path.GetFileName(path) + ".";
        var highest = 0;
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        foreach (var file in Directory.EnumerateFiles(directory, prefix + "*"))
        {
            // The ".*" pattern also matches the unrotated file itself, so check the prefix by hand.
            var name = System.IO.Path.GetFileName(file);
            if (name.Length <= prefix.Length || !name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var suffix = name.AsSpan(prefix.Length);
            if (int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index > highest)
            {
                highest = index;
            }
        }

        return highest;
    }

    // A crash in the middle of an earlier write can leave a line without its newline. Starting on a
    // fresh line keeps that damage to one line, which the reader then reports by number.
    private static async ValueTask SeparateFromTornLineAsync(FileStream stream)
    {
        var length = stream.Length;
        if (length > 0)
        {
            stream.Seek(length - 1, SeekOrigin.Begin);
            var last = new byte[1];
            var read = await stream.ReadAsync(last).ConfigureAwait(false);
            stream.Seek(0, SeekOrigin.End);
            if (read == 1 && last[0] != NewLine)
            {
                await stream.WriteAsync(new[] { NewLine }).ConfigureAwait(false);
            }
        }
        else
        {
            stream.Seek(0, SeekOrigin.End);
        }
    }
}
