using System;
using System.Collections.Immutable;
using System.Linq;
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

    /// <summary>The name patterns of an option value (comma-separated; blanks are dropped).</summary>
    public static ImmutableArray<string> ParseNames(string value)
        => value.Split(',').Select(name => name.Trim()).Where(name => name.Length > 0 && name != "*").ToImmutableArray();

    /// <summary>True when <paramref name="member"/>, or a type containing it, is named like seeding, migration or installer code.</summary>
    public static bool IsSetupMember(ISymbol member, ImmutableArray<string> names)
    {
        for (ISymbol? symbol = member; symbol is not null and not INamespaceSymbol; symbol = symbol.ContainingSymbol)
        {
            if (names.Any(pattern => Matches(symbol.Name, pattern)))
            {
                return true;
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

    private static bool Matches(string name, string pattern)
    {
        var prefix = pattern.EndsWith("*", StringComparison.Ordinal);
        var suffix = pattern.StartsWith("*", StringComparison.Ordinal);
        var core = pattern.Trim('*');
        if (core.Length == 0)
        {
            return false;
        }

        return (prefix, suffix) switch
        {
            (true, true) => name.IndexOf(core, StringComparison.Ordinal) >= 0,
            (true, false) => name.StartsWith(core, StringComparison.Ordinal),
            (false, true) => name.EndsWith(core, StringComparison.Ordinal),
            _ => string.Equals(name, core, StringComparison.Ordinal),
        };
    }
}
