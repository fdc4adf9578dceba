using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;

namespace Sluice.Analyzers.Infrastructure;

/// <summary>
/// Values an analyzer computes (usually from its options) and hands to its code fix through the diagnostic, so the
/// fix writes what the options say without reading them again.
/// </summary>
internal static class DiagnosticProperties
{
    /// <summary>A timeout or deadline, in seconds, for the fix to write.</summary>
    public const string Seconds = nameof(Seconds);

    public static ImmutableDictionary<string, string?> WithSeconds(int seconds)
        => ImmutableDictionary<string, string?>.Empty.Add(Seconds, seconds.ToString(CultureInfo.InvariantCulture));

    public static bool TryGetSeconds(Diagnostic diagnostic, out int seconds)
        => int.TryParse(diagnostic.Properties.TryGetValue(Seconds, out var text) ? text : null, NumberStyles.Integer, CultureInfo.InvariantCulture, out seconds);
}
