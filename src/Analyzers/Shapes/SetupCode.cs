using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// Code that runs once, when a database is set up, rather than for each record: seeding, migrations, schema
/// installers, recognized by name (an option of each rule that uses it) and by EF Core's schema calls. A hang there is
/// seen at once by whoever runs the setup, and a long or infinite timeout there is a deliberate choice (a migration may
/// run for an hour). The program's entry point is not setup code: a console job does its whole work in <c>Main</c>.
/// Used by SLU301, SLU302 and SLU303.
/// </summary>
internal static class SetupCode
{
    /// <summary>
    /// The default name patterns of seeding, migration and installer code, matched against the member's name and the
    /// names of the types that contain it: <c>Seed*</c> is a prefix, <c>*Seeder</c> a suffix.
    /// </summary>
    public const string DefaultNames = "Seed*,*Seed,*Seeder,Migrate*,*Migrator,*Installer";

    // The option is read for every candidate call, and nearly always has the same value: the last one parsed is kept.
    private static ParsedNames? s_lastParsed;

    /// <summary>The name patterns of an option value (comma-separated; blanks are dropped).</summary>
    public static ImmutableArray<string> ParseNames(string value)
    {
        var last = Volatile.Read(ref s_lastParsed);
        if (last is not null && string.Equals(last.Value, value, StringComparison.Ordinal))
        {
            return last.Names;
        }

        var names = value.Split(',').Select(name => name.Trim()).Where(name => name.Length > 0 && name != "*").ToImmutableArray();
        Volatile.Write(ref s_lastParsed, new ParsedNames(value, names));
        return names;
    }

    /// <summary>True when <paramref name="member"/>, or a type containing it, is named like seeding, migration or installer code.</summary>
    public static bool IsSetupMember(ISymbol member, ImmutableArray<string> names)
    {
        for (ISymbol? symbol = member; symbol is not null and not INamespaceSymbol; symbol = symbol.ContainingSymbol)
        {
            foreach (var pattern in names)
            {
                if (Matches(symbol.Name, pattern))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// EF Core's schema setup: <c>Database.MigrateAsync()</c>, <c>EnsureCreatedAsync()</c>, <c>EnsureDeletedAsync()</c>
    /// and their synchronous forms. They run when a database is created or upgraded, not per record.
    /// </summary>
    public static bool IsSchemaSetup(IMethodSymbol method)
        => method.Name is "MigrateAsync" or "Migrate" or "EnsureCreatedAsync" or "EnsureCreated" or "EnsureDeletedAsync" or "EnsureDeleted"
            && (method.ReducedFrom ?? method).ContainingType is { ContainingNamespace: { } ns } && TypeSymbols.IsNamespaceOrNested(ns, "Microsoft.EntityFrameworkCore");

    /// <summary>Compares without cutting the stars off the pattern: this runs for every member and type a candidate sits in.</summary>
    private static bool Matches(string name, string pattern)
    {
        var start = 0;
        while (start < pattern.Length && pattern[start] == '*')
        {
            start++;
        }

        var end = pattern.Length;
        while (end > start && pattern[end - 1] == '*')
        {
            end--;
        }

        var length = end - start;
        if (length == 0)
        {
            return false;
        }

        return (IsPrefix: end < pattern.Length, IsSuffix: start > 0) switch
        {
            (true, true) => name.IndexOf(pattern.Substring(start, length), StringComparison.Ordinal) >= 0,
            (true, false) => name.Length >= length && string.CompareOrdinal(name, 0, pattern, start, length) == 0,
            (false, true) => name.Length >= length && string.CompareOrdinal(name, name.Length - length, pattern, start, length) == 0,
            _ => string.Equals(name, pattern, StringComparison.Ordinal),
        };
    }

    private sealed class ParsedNames(string value, ImmutableArray<string> names)
    {
        public string Value { get; } = value;

        public ImmutableArray<string> Names { get; } = names;
    }
}
