using System;

namespace Sluice;

/// <summary>The right of one run to process an instance, until <see cref="ExpiresAt"/> unless renewed.</summary>
public sealed record PipelineLease
{
    /// <summary>Gets the instance key.</summary>
    public required string Instance { get; init; }

    /// <summary>Gets who holds it: machine, process id and run id, as given on acquisition.</summary>
    public required string Holder { get; init; }

    /// <summary>Gets the token that identifies this acquisition; renewals and releases must present it.</summary>
    public required string Token { get; init; }

    /// <summary>Gets the machine of the holder's process, when the store records it.</summary>
    public string? Machine { get; init; }

    /// <summary>Gets the id of the holder's process, when the store records it.</summary>
    public int? ProcessId { get; init; }

    /// <summary>Gets when the lease was acquired.</summary>
    public DateTimeOffset AcquiredAt { get; init; }

    /// <summary>Gets when the lease lapses unless renewed: a crashed holder's lease is free after this time.</summary>
    public DateTimeOffset ExpiresAt { get; init; }
}
