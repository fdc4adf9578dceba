using System;

namespace Sluice;

/// <summary>Which dead letters to read; every criterion left <see langword="null"/> matches everything.</summary>
public sealed record DeadLetterQuery
{
    /// <summary>Gets the instance key (<see cref="PipelineInstance.Key"/>) the dead letters must belong to.</summary>
    public string? Instance { get; init; }

    /// <summary>Gets the pipeline name the dead letters must belong to.</summary>
    public string? Pipeline { get; init; }

    /// <summary>Gets the exception type: its full name, or its short name (without namespace).</summary>
    public string? ErrorType { get; init; }

    /// <summary>Gets the earliest <see cref="DeadLetter.Timestamp"/> (inclusive).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Gets the latest <see cref="DeadLetter.Timestamp"/> (exclusive).</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Tells whether <paramref name="deadLetter"/> matches every criterion.</summary>
    /// <param name="deadLetter">The dead letter.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="deadLetter"/> is <see langword="null"/>.</exception>
    public bool Matches(DeadLetter deadLetter)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        return (Instance is null || string.Equals(deadLetter.Instance ?? deadLetter.Pipeline, Instance, StringComparison.Ordinal))
            && (Pipeline is null || string.Equals(deadLetter.Pipeline, Pipeline, StringComparison.Ordinal))
            && (ErrorType is null || string.Equals(deadLetter.ErrorType, ErrorType, StringComparison.Ordinal)
                || deadLetter.ErrorType.EndsWith("." + ErrorType, StringComparison.Ordinal))
            && (Since is null || deadLetter.Timestamp >= Since)
            && (Until is null || deadLetter.Timestamp < Until);
    }
}
