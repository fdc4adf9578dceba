using System;

namespace Sluice;

/// <summary>Settings of <see cref="JsonLinesDeadLetterSink"/>.</summary>
public sealed class JsonLinesDeadLetterSinkOptions
{
    /// <summary>The smallest non-zero <see cref="MaxFileSizeBytes"/>.</summary>
    public const long MinimumRotationSize = 1024;

    /// <summary>
    /// Gets or sets the size at which the file is rotated: before a write that would take it past this size,
    /// the file is renamed to <c>path.N</c> (N = 1, 2, ..., the highest being the most recent) and a new file is started.
    /// Rotated files are never deleted: they hold data.
    /// </summary>
    /// <value>The default is 64 MiB. 0 disables rotation; otherwise at least <see cref="MinimumRotationSize"/>.</value>
    public long MaxFileSizeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Gets or sets a hook applied to every dead letter before it is written, to remove secrets or personal data
    /// from the payload, the message or the context.
    /// </summary>
    /// <value>The default is <see langword="null"/> (written as is).</value>
    public Func<DeadLetter, DeadLetter>? Redact { get; set; }
}
