using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

// Usage: Sluice.Roslyn48Driver <analyzer folder> <file.cs>...
// Prints, one a line:
//   roslyn <version of Microsoft.CodeAnalysis.CSharp that compiled>
//   analyzer <assembly> <diagnostic analyzers found>
//   fix <code fix provider> <ids it fixes>
//   load-failure <what could not be loaded>
//   diagnostic <id>|<severity>|<file>|<start line>,<start column>|<end line>,<end column>|<message>|<help link>
// (lines and columns 1-based) and exits 1 on a load failure or a compiler error, 0 otherwise.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Sluice.Roslyn48Driver <analyzer folder> <file.cs>...");
    return 2;
}

var folder = Path.GetFullPath(args[0]);
Console.WriteLine($"roslyn {typeof(CSharpCompilation).Assembly.GetName().Version}");

var failed = false;
var loader = new FolderLoader(folder);
var analyzers = ImmutableArray.CreateBuilder<DiagnosticAnalyzer>();
foreach (var path in Directory.GetFiles(folder, "*.dll").Order(StringComparer.Ordinal))
{
    var reference = new AnalyzerFileReference(path, loader);
    reference.AnalyzerLoadFailed += (_, e) =>
    {
        Console.WriteLine($"load-failure {Path.GetFileName(path)}: {e.ErrorCode} {e.Message}");
        failed = true;
    };
    var found = reference.GetAnalyzers(LanguageNames.CSharp);
    Console.WriteLine($"analyzer {Path.GetFileName(path)} {found.Length}");
    analyzers.AddRange(found);

    // The code fixes, as an IDE on this Roslyn would create them.
    foreach (var type in loader.LoadFromPath(path).GetTypes().Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t)))
    {
        var fix = (CodeFixProvider)Activator.CreateInstance(type)!;
        Console.WriteLine($"fix {type.Name} {string.Join(',', fix.FixableDiagnosticIds)}");
    }
}

var runtimeAssemblies = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
var references = runtimeAssemblies.Select(path => MetadataReference.CreateFromFile(path));
var parseOptions = new CSharpParseOptions(LanguageVersion.CSharp12);
var trees = args.Skip(1).Select(file => CSharpSyntaxTree.ParseText(File.ReadAllText(file), parseOptions, Path.GetFileName(file)));
var compilation = CSharpCompilation.Create(
    "Consumer",
    trees,
    references,
    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

var withAnalyzers = compilation.WithAnalyzers(
    analyzers.ToImmutable(),
    new CompilationWithAnalyzersOptions(
        new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
        onAnalyzerException: (exception, analyzer, _) =>
        {
            Console.WriteLine($"analyzer-exception {analyzer}: {exception}");
            failed = true;
        },
        concurrentAnalysis: true,
        logAnalyzerExecutionTime: false));

foreach (var diagnostic in (await withAnalyzers.GetAllDiagnosticsAsync()).OrderBy(d => d.Location.SourceTree?.FilePath).ThenBy(d => d.Location.SourceSpan.Start))
{
    if (diagnostic.Severity == DiagnosticSeverity.Error)
    {
        failed = true;
    }

    if (diagnostic.Severity == DiagnosticSeverity.Hidden)
    {
        continue;
    }

    var span = diagnostic.Location.GetLineSpan();
    Console.WriteLine(string.Join(
        '|',
        "diagnostic " + diagnostic.Id,
        diagnostic.Severity,
        span.Path,
        $"{span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}",
        $"{span.EndLinePosition.Line + 1},{span.EndLinePosition.Character + 1}",
        diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture),
        diagnostic.Descriptor.HelpLinkUri));
}

return failed ? 1 : 0;

/// <summary>Loads analyzer assemblies and their neighbours from one folder into the default context.</summary>
internal sealed class FolderLoader(string folder) : IAnalyzerAssemblyLoader
{
    public void AddDependencyLocation(string fullPath)
    {
    }

    public Assembly LoadFromPath(string fullPath)
    {
        var name = AssemblyName.GetAssemblyName(fullPath);
        return AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name))
            ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.Combine(folder, Path.GetFileName(fullPath)));
    }
}
