using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Sluice.Analyzers.Infrastructure;
using Sluice.CodeFixes.Reliability;

namespace Sluice.Analyzers.Tests.Catalog;

/// <summary>What the shipped assemblies declare: every rule, its fixes and its options, found by reflection.</summary>
internal static class RuleCatalog
{
    public static readonly IReadOnlyList<DiagnosticAnalyzer> Analyzers = Instances<DiagnosticAnalyzer>(typeof(RuleIds).Assembly);

    public static readonly IReadOnlyList<CodeFixProvider> CodeFixes = Instances<CodeFixProvider>(typeof(SwallowedExceptionCodeFix).Assembly);

    public static readonly IReadOnlyList<DiagnosticDescriptor> Descriptors = Analyzers
        .SelectMany(analyzer => analyzer.SupportedDiagnostics)
        .GroupBy(descriptor => descriptor.Id)
        .Select(group => group.First())
        .OrderBy(descriptor => descriptor.Id, StringComparer.Ordinal)
        .ToList();

    public static readonly IReadOnlyList<SluiceOption> Options = typeof(RuleIds).Assembly.GetTypes()
        .SelectMany(type => type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
        .Where(field => typeof(SluiceOption).IsAssignableFrom(field.FieldType))
        .Select(field => (SluiceOption)field.GetValue(null)!)
        .ToList();

    public static string RepositoryRoot { get; } = typeof(RuleCatalog).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "RepositoryRoot").Value!;

    /// <summary>The RepositoryUrl property, read from Directory.Build.props where it is defined once.</summary>
    public static string RepositoryUrl { get; } = Regex.Match(
        File.ReadAllText(Path.Combine(RepositoryRoot, "Directory.Build.props")),
        "<RepositoryUrl>(?<url>[^<]+)</RepositoryUrl>").Groups["url"].Value;

    public static bool HasCodeFix(string id) => CodeFixes.Any(fix => fix.FixableDiagnosticIds.Contains(id));

    public static bool IsConfigurable(string id) => Options.Any(option => option.RuleId == id);

    private static List<T> Instances<T>(Assembly assembly)
        => assembly.GetTypes()
            .Where(type => typeof(T).IsAssignableFrom(type) && !type.IsAbstract)
            .Select(type => (T)Activator.CreateInstance(type)!)
            .ToList();
}
