using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;

namespace Sluice.Analyzers.Tests.Harness;

/// <summary>
/// A library a test source may reference. The assemblies are taken from the test host's trusted platform
/// assemblies (the test project's package references put them there), so nothing is downloaded and a test
/// that leaves a library out checks the "library not referenced" path.
/// </summary>
public sealed class Library
{
    private static readonly ConcurrentDictionary<string, MetadataReference> Cache = new(StringComparer.Ordinal);

    private static readonly Lazy<IReadOnlyDictionary<string, string>> TrustedAssemblies = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .GroupBy(path => Path.GetFileNameWithoutExtension(path), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => group.First(), StringComparer.OrdinalIgnoreCase));

    private Library(string name, params string[] assemblyNames)
    {
        Name = name;
        AssemblyNames = assemblyNames;
    }

    public string Name { get; }

    public IReadOnlyList<string> AssemblyNames { get; }

    /// <summary>Microsoft.Extensions.Logging.Abstractions (ILogger and the LogError extensions).</summary>
    public static Library Logging { get; } = new(
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions");

    /// <summary>EF Core with its relational layer.</summary>
    public static Library EntityFrameworkCore { get; } = new(
        "Microsoft.EntityFrameworkCore",
        "Microsoft.EntityFrameworkCore",
        "Microsoft.EntityFrameworkCore.Abstractions",
        "Microsoft.EntityFrameworkCore.Relational",
        "Microsoft.Extensions.Caching.Abstractions",
        "Microsoft.Extensions.Caching.Memory",
        "Microsoft.Extensions.Configuration.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
        "Microsoft.Extensions.Logging",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.Options",
        "Microsoft.Extensions.Primitives");

    public static Library Dapper { get; } = new("Dapper", "Dapper");

    public static Library Npgsql { get; } = new("Npgsql", "Npgsql", "Microsoft.Extensions.Logging.Abstractions");

    public static Library Polly { get; } = new("Polly.Core", "Polly.Core");

    /// <summary>The <c>Polly</c> package: Polly v7's <c>Policy</c> API, on top of Polly.Core.</summary>
    public static Library PollyV7 { get; } = new("Polly", "Polly", "Polly.Core");

    /// <summary>Microsoft.Data.SqlClient (SqlConnection, SqlBulkCopy).</summary>
    public static Library SqlClient { get; } = new("Microsoft.Data.SqlClient", "Microsoft.Data.SqlClient");

    /// <summary>The Sluice runtime, which switches the code fixes to their runtime forms.</summary>
    public static Library SluiceRuntime { get; } = new(
        "Sluice",
        "Sluice",
        "Polly.Core",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions");

    /// <summary>The .NET shared framework the tests run on (System.*, Microsoft.Win32.*, netstandard...).</summary>
    public static IReadOnlyList<MetadataReference> Framework { get; } = LoadFramework();

    public IEnumerable<MetadataReference> References => AssemblyNames.Select(Load);

    private static MetadataReference Load(string assemblyName)
    {
        if (!TrustedAssemblies.Value.TryGetValue(assemblyName, out var path))
        {
            throw new InvalidOperationException(
                $"Assembly '{assemblyName}' is not on the test host. Add a PackageReference for it to Sluice.Analyzers.Tests.csproj.");
        }

        return Cache.GetOrAdd(path, p => MetadataReference.CreateFromFile(p));
    }

    private static IReadOnlyList<MetadataReference> LoadFramework()
    {
        var frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return TrustedAssemblies.Value.Values
            .Where(path => string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.Ordinal))
            .Select(path => Cache.GetOrAdd(path, p => MetadataReference.CreateFromFile(p)))
            .ToList();
    }

    public override string ToString() => Name;
}
