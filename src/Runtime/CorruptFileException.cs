using System;
using System.IO;

namespace Sluice;

/// <summary>
/// A file Sluice wrote (a dead-letter file, a checkpoint) can no longer be read as written.
/// Sluice never resets or skips such a file on its own: a human decides what the data was.
/// </summary>
public sealed class CorruptFileException : IOException
{
    /// <summary>Initializes a new instance with no details.</summary>
    public CorruptFileException()
        : this("A Sluice file is corrupt.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public CorruptFileException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the underlying failure.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The failure that revealed the corruption.</param>
    public CorruptFileException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance naming the file and, when known, the line.</summary>
    /// <param name="filePath">The corrupt file.</param>
    /// <param name="lineNumber">The 1-based line that could not be read, or <see langword="null"/> for a whole-file problem.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="innerException">The failure that revealed the corruption.</param>
    public CorruptFileException(string filePath, long? lineNumber, string reason, Exception? innerException = null)
        : base(lineNumber is { } line ? $"Corrupt file '{filePath}', line {line}: {reason}" : $"Corrupt file '{filePath}': {reason}", innerException)
    {
        FilePath = filePath;
        LineNumber = lineNumber;
    }

    /// <summary>Gets the path of the corrupt file, when known.</summary>
    public string? FilePath { get; }

    /// <summary>Gets the 1-based line number that could not be read, when the file is line-oriented.</summary>
    public long? LineNumber { get; }
}
