using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Sluice.AnalyzerBench;

/// <summary>
/// The analyzers of an earlier build of Sluice.Analyzers.dll, loaded beside the current ones so that one run measures
/// both on the same corpus, machine and moment (a before/after comparison from two runs on a shared machine is mostly
/// noise). The earlier assembly gets a load context of its own; Roslyn and the framework come from the host, as they
/// would in a compiler.
/// </summary>
internal sealed class EarlierBuild : AssemblyLoadContext
{
    private readonly string path;

    private EarlierBuild(string path)
        : base("earlier Sluice.Analyzers")
        => this.path = path;

    /// <summary>Every analyzer in the assembly at <paramref name="path"/>.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> LoadAnalyzers(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"--compare: no analyzer assembly at '{fullPath}'.", fullPath);
        }

        var assembly = new EarlierBuild(fullPath).LoadFromAssemblyPath(fullPath);
        return Exported(assembly);
    }

    /// <summary>
    /// The analyzers an assembly exports (marked [DiagnosticAnalyzer]), as the compiler loads them: since the rules are
    /// hosted by one exported analyzer, instantiating every analyzer class would run each rule twice.
    /// </summary>
    public static ImmutableArray<DiagnosticAnalyzer> Exported(Assembly assembly)
        => assembly.GetTypes()
            .Where(t => typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && !t.IsAbstract
                && t.GetCustomAttributes(inherit: false).Any(a => a.GetType().FullName == typeof(DiagnosticAnalyzerAttribute).FullName))
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
        => assemblyName.Name == "Sluice.Analyzers" ? LoadFromAssemblyPath(path) : null;
}
