using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Sluice.AnalyzerBench;

/// <summary>The command line: the generated corpus's numbers, or a folder of real sources, and an earlier build.</summary>
internal sealed record BenchOptions(string[] Numbers, string? ComparePath, string? SourceFolder, string[] ReferenceFolders, bool ImplicitUsings, string? Error)
{
    public static BenchOptions Parse(string[] args)
    {
        var numbers = new List<string>();
        string? compare = null, source = null;
        var referenceFolders = Array.Empty<string>();
        var implicitUsings = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--compare" or "--src" or "--refs" when i == args.Length - 1:
                    return Failed($"{args[i]} needs a value: --compare an earlier build's Sluice.Analyzers.dll, --src a folder of .cs files, --refs folders of reference assemblies separated by commas.");
                case "--compare":
                    compare = args[++i];
                    break;
                case "--src":
                    source = args[++i];
                    if (!Directory.Exists(source))
                    {
                        return Failed($"--src: no folder at '{source}'.");
                    }

                    break;
                case "--refs":
                    referenceFolders = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries);
                    if (referenceFolders.FirstOrDefault(folder => !Directory.Exists(folder)) is { } missing)
                    {
                        return Failed($"--refs: no folder at '{missing}'.");
                    }

                    break;
                case "--implicit-usings":
                    implicitUsings = true;
                    break;
                default:
                    numbers.Add(args[i]);
                    break;
            }
        }

        return new BenchOptions(numbers.ToArray(), compare, source, referenceFolders, implicitUsings, null);

        static BenchOptions Failed(string error) => new([], null, null, [], false, error);
    }
}

/// <summary>Real code to analyze, read the way the trust folder's corpus runner reads it, so that the two agree.</summary>
internal static class RealSources
{
    /// <summary>Every .cs file under the folder (build output left out), in a stable order.</summary>
    public static List<(string Path, string Text)> Read(string folder, bool implicitUsings)
    {
        var sources = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains("/obj/", StringComparison.Ordinal) && !path.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(path => (Path: System.IO.Path.GetRelativePath(folder, path), Text: File.ReadAllText(path)))
            .ToList();
        if (implicitUsings)
        {
            // The SDK's implicit usings, for code that relies on them: without them such code binds to error types.
            string[] namespaces = ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];
            sources.Add(("ImplicitUsings.g.cs", string.Join("\n", namespaces.Select(n => $"global using global::{n};"))));
        }

        return sources;
    }

    /// <summary>
    /// The host's platform assemblies (Sluice's and the compiler's own left out), then every managed assembly of the
    /// reference folders whose file name the platform does not already provide.
    /// </summary>
    public static List<MetadataReference> References(IEnumerable<string> folders)
    {
        var byName = new Dictionary<string, MetadataReference>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(System.IO.Path.PathSeparator))
        {
            var name = System.IO.Path.GetFileName(path);
            if (!name.StartsWith("Sluice", StringComparison.Ordinal) && !name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            {
                byName[name] = MetadataReference.CreateFromFile(path);
            }
        }

        foreach (var path in folders.SelectMany(folder => Directory.EnumerateFiles(folder, "*.dll", SearchOption.AllDirectories)))
        {
            if (!byName.ContainsKey(System.IO.Path.GetFileName(path)) && IsManaged(path))
            {
                byName[System.IO.Path.GetFileName(path)] = MetadataReference.CreateFromFile(path);
            }
        }

        return byName.Values.ToList();
    }

    private static bool IsManaged(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
