using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Sluice.AnalyzerBench;

// Usage: dotnet run -c Release --project bench/Sluice.AnalyzerBench [-- files methodsPerFile iterations]
var files = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 560;
var methodsPerFile = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 14;
var iterations = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;

var sources = Corpus.Generate(files, methodsPerFile, seed: 20261121);
var lines = sources.Sum(s => s.Count(c => c == '\n'));
var analyzers = typeof(Sluice.Analyzers.RuleIds).Assembly.GetTypes()
    .Where(t => typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && !t.IsAbstract)
    .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
    .ToImmutableArray();
var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
    .Split(Path.PathSeparator)
    .Where(p => !Path.GetFileName(p).StartsWith("Sluice", StringComparison.Ordinal) && !Path.GetFileName(p).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
    .Select(p => MetadataReference.CreateFromFile(p))
    .ToList();

Console.WriteLine($"Corpus: {files} files, {lines:N0} lines; {analyzers.Length} Sluice analyzers; {iterations} measured iterations after one warm-up.");

var compileTimes = new List<double>();
var analyzerTimes = new List<double>();
var perAnalyzer = analyzers.ToDictionary(a => a.GetType().Name, _ => new List<double>());
var findings = new Dictionary<string, int>();

for (var iteration = 0; iteration <= iterations; iteration++)
{
    var trees = sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: $"Job{i}.cs")).ToList();
    var compilation = CSharpCompilation.Create(
        "Corpus",
        trees,
        references,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    // The compiler's own work for a build: bind everything, then emit.
    var clock = Stopwatch.StartNew();
    var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    using (var peStream = new MemoryStream())
    {
        compilation.Emit(peStream);
    }

    var compileMs = clock.Elapsed.TotalMilliseconds;
    if (errors.Count > 0)
    {
        throw new InvalidOperationException("The generated corpus does not compile:\n" + string.Join("\n", errors.Take(10)));
    }

    // Sluice's analyzers on that compilation, concurrent as in a real build; each analyzer's own execution time.
    var withAnalyzers = compilation.WithAnalyzers(
        analyzers,
        new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: true));
    var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
    var analyzerMs = 0.0;
    foreach (var analyzer in analyzers)
    {
        var ms = (await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None)).ExecutionTime.TotalMilliseconds;
        analyzerMs += ms;
        if (iteration > 0)
        {
            perAnalyzer[analyzer.GetType().Name].Add(ms);
        }
    }

    if (iteration == 0)
    {
        foreach (var group in diagnostics.GroupBy(d => d.Id).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            findings[group.Key] = group.Count();
        }

        continue;
    }

    compileTimes.Add(compileMs);
    analyzerTimes.Add(analyzerMs);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

var compile = Median(compileTimes);
var sluice = Median(analyzerTimes);
Console.WriteLine();
Console.WriteLine("| Measure | Median (ms) | Ratio to compilation |");
Console.WriteLine("|---|---:|---:|");
Console.WriteLine($"| Compilation (bind + emit) | {compile:F0} | 1.000 |");
Console.WriteLine($"| All Sluice analyzers | {sluice:F0} | {sluice / compile:F3} |");
foreach (var (name, times) in perAnalyzer.OrderByDescending(p => Median(p.Value)))
{
    Console.WriteLine($"| {name} | {Median(times):F1} | {Median(times) / compile:F4} |");
}

Console.WriteLine();
Console.WriteLine("Findings in the corpus: " + string.Join(", ", findings.Select(f => $"{f.Key} {f.Value:N0}")));
