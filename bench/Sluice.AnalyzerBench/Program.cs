using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Sluice.AnalyzerBench;

// Usage: dotnet run -c Release --project bench/Sluice.AnalyzerBench [-- files methodsPerFile iterations]
//            [--compare earlier/Sluice.Analyzers.dll] [--src folder [--refs dir,dir] [--implicit-usings]]
// --src analyzes a folder of real C# sources instead of the generated corpus (the real-code corpus of the trust folder,
// say): code that does not compile whole is tolerated, as the corpus runner tolerates it, and the compiler's time is
// binding alone (code with errors cannot be emitted). The first number is then the iteration count.
var options = BenchOptions.Parse(args);
if (options.Error is not null)
{
    Console.Error.WriteLine(options.Error);
    return 2;
}

var comparePath = options.ComparePath;
var numbers = options.Numbers;
var files = options.SourceFolder is null && numbers.Length > 0 ? int.Parse(numbers[0], CultureInfo.InvariantCulture) : 640;
var methodsPerFile = options.SourceFolder is null && numbers.Length > 1 ? int.Parse(numbers[1], CultureInfo.InvariantCulture) : 14;
var iterations = options.SourceFolder is not null
    ? (numbers.Length > 0 ? int.Parse(numbers[0], CultureInfo.InvariantCulture) : 5)
    : (numbers.Length > 2 ? int.Parse(numbers[2], CultureInfo.InvariantCulture) : 3);

var corpus = options.SourceFolder is null
    ? Corpus.Generate(files, methodsPerFile, seed: 20261121).Select((text, i) => (Path: $"Job{i}.cs", Text: text)).ToList()
    : RealSources.Read(options.SourceFolder, options.ImplicitUsings);
var lines = corpus.Sum(s => s.Text.Count(c => c == '\n'));
var analyzers = EarlierBuild.Exported(typeof(Sluice.Analyzers.RuleIds).Assembly);
var references = RealSources.References(options.ReferenceFolders);

var earlier = comparePath is null ? ImmutableArray<DiagnosticAnalyzer>.Empty : EarlierBuild.LoadAnalyzers(comparePath);

Console.WriteLine(options.SourceFolder is null
    ? $"Corpus: {files} files, {lines:N0} lines (generated); {analyzers.Length} Sluice analyzers; {iterations} measured iterations after one warm-up."
    : $"Corpus: {corpus.Count} files, {lines:N0} lines from {Path.GetFileName(Path.TrimEndingDirectorySeparator(options.SourceFolder))}; {analyzers.Length} Sluice analyzers; {iterations} measured iterations after one warm-up.");
if (comparePath is not null)
{
    Console.WriteLine($"Compared with {earlier.Length} analyzers of an earlier build ({Path.GetFileName(comparePath)}), run in the same iterations, the two in alternating order.");
}

var compileTimes = new List<double>();
var baselineTimes = new List<double>();
var sluiceTimes = new List<double>();
var earlierTimes = new List<double>();
var telemetrySums = new List<double>();
var telemetryRatios = new List<double>();
var perAnalyzer = analyzers.ToDictionary(a => a.GetType().Name, _ => new List<double>());
var earlierTelemetrySums = new List<double>();
var earlierTelemetryRatios = new List<double>();
var earlierPerAnalyzer = earlier.ToDictionary(a => a.GetType().Name, _ => new List<double>());
var baselineCpu = new List<double>();
var sluiceCpu = new List<double>();
var earlierCpu = new List<double>();
var findings = new Dictionary<string, int>();
ImmutableArray<DiagnosticAnalyzer> baseline = [new EmptyOperationAnalyzer()];

for (var iteration = 0; iteration <= iterations; iteration++)
{
    var trees = corpus.Select(s => CSharpSyntaxTree.ParseText(s.Text, new CSharpParseOptions(LanguageVersion.Latest), path: s.Path)).ToList();
    var compilation = CSharpCompilation.Create(
        "Corpus",
        trees,
        references,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

    // The compiler's own work for a build: bind everything, then emit (real sources: bind only, they may not compile
    // whole). Each iteration binds a fresh compilation object, so nothing is cached from the one before.
    var clock = Stopwatch.StartNew();
    var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    if (options.SourceFolder is null)
    {
        using var peStream = new MemoryStream();
        compilation.Emit(peStream);
    }

    var compileMs = clock.Elapsed.TotalMilliseconds;
    if (errors.Count > 0 && options.SourceFolder is null)
    {
        throw new InvalidOperationException("The generated corpus does not compile:\n" + string.Join("\n", errors.Take(10)));
    }

    if (iteration == 0 && errors.Count > 0)
    {
        Console.WriteLine($"{errors.Count:N0} compile errors (missing references are tolerated, as in the corpus runner).");
    }

    // What any IOperation analyzer pays (operation trees, dispatch), measured with one that does nothing...
    var (baselineMs, baselineCpuMs, _, _) = await AnalyzeAsync(compilation, baseline);

    // ...and Sluice's analyzers, concurrent as in a real build; with --compare, the earlier build's too, first in every
    // other iteration, so that neither always runs on the warmer process.
    var earlierMs = 0.0;
    var earlierCpuMs = 0.0;
    List<(string Name, double Milliseconds)> earlierTelemetry = [];
    if (!earlier.IsEmpty && iteration % 2 == 0)
    {
        (earlierMs, earlierCpuMs, _, earlierTelemetry) = await AnalyzeAsync(compilation, earlier);
    }

    var (sluiceMs, sluiceCpuMs, diagnostics, telemetry) = await AnalyzeAsync(compilation, analyzers);
    if (!earlier.IsEmpty && iteration % 2 == 1)
    {
        (earlierMs, earlierCpuMs, _, earlierTelemetry) = await AnalyzeAsync(compilation, earlier);
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
    telemetrySums.Add(telemetry.Sum(t => t.Milliseconds));
    telemetryRatios.Add(telemetry.Sum(t => t.Milliseconds) / compileMs);
    baselineTimes.Add(baselineMs);
    baselineCpu.Add(baselineCpuMs);
    sluiceCpu.Add(sluiceCpuMs);
    earlierCpu.Add(earlierCpuMs);
    sluiceTimes.Add(sluiceMs);
    earlierTimes.Add(earlierMs);
    foreach (var (name, ms) in telemetry)
    {
        perAnalyzer[name].Add(ms);
    }

    if (!earlier.IsEmpty)
    {
        earlierTelemetrySums.Add(earlierTelemetry.Sum(t => t.Milliseconds));
        earlierTelemetryRatios.Add(earlierTelemetry.Sum(t => t.Milliseconds) / compileMs);
        foreach (var (name, ms) in earlierTelemetry)
        {
            earlierPerAnalyzer[name].Add(ms);
        }
    }
}

var compile = Median(compileTimes);
var empty = Median(baselineTimes);
var sluice = Median(sluiceTimes);
Console.WriteLine();
Console.WriteLine("| Measure (wall clock) | Median (ms) | Ratio to compilation |");
Console.WriteLine("|---|---:|---:|");
Console.WriteLine(options.SourceFolder is null ? $"| Compilation (bind + emit) | {compile:F0} | 1.000 |" : $"| Compilation (bind) | {compile:F0} | 1.000 |");
Console.WriteLine($"| An operation analyzer that does nothing (shared cost of IOperation analysis) | {empty:F0} | {empty / compile:F3} |");
Console.WriteLine($"| All Sluice analyzers | {sluice:F0} | {sluice / compile:F3} |");
Console.WriteLine($"| **Sluice's own cost** (all Sluice analyzers minus the empty one) | {Math.Max(0, sluice - empty):F0} | **{Math.Max(0, sluice - empty) / compile:F3}** |");
Console.WriteLine($"| Sluice analyzers' summed telemetry (what the corpus runner's --time-compile ratio sums; ratio: median of the iterations' ratios) | {Median(telemetrySums):F0} | {Median(telemetryRatios):F3} |");
if (!earlier.IsEmpty)
{
    var before = Median(earlierTimes);
    Console.WriteLine($"| All analyzers of the earlier build | {before:F0} | {before / compile:F3} |");
    Console.WriteLine($"| The earlier build's own cost (minus the empty one) | {Math.Max(0, before - empty):F0} | {Math.Max(0, before - empty) / compile:F3} |");
    Console.WriteLine($"| The earlier build's summed telemetry (ratio: median of the iterations' ratios) | {Median(earlierTelemetrySums):F0} | {Median(earlierTelemetryRatios):F3} |");
    Console.WriteLine();
    Console.WriteLine($"Current ÷ earlier, all analyzers: {sluice / before:F2}; own cost: {(before > empty ? $"{Math.Max(0, sluice - empty) / (before - empty):F2}" : "n/a (the earlier build's own cost is within the noise)")}; summed telemetry: {Median(telemetrySums) / Median(earlierTelemetrySums):F2}.");
}
// CPU time of the whole process (every thread) during each analysis: unlike wall clock and telemetry, it does not count
// the time other programs hold the cores, so on a shared machine it is the steadier before/after.
var emptyCpu = Median(baselineCpu);
var ownCpu = Median(sluiceCpu.Zip(baselineCpu, (s, b) => s - b).ToList());
Console.WriteLine();
Console.WriteLine("| Measure (CPU time, all threads) | Median (ms) |");
Console.WriteLine("|---|---:|");
Console.WriteLine($"| An operation analyzer that does nothing | {emptyCpu:F0} |");
Console.WriteLine($"| All Sluice analyzers | {Median(sluiceCpu):F0} |");
Console.WriteLine($"| **Sluice's own CPU** (minus the empty one, per iteration) | **{ownCpu:F0}** |");
if (!earlier.IsEmpty)
{
    var earlierOwnCpu = Median(earlierCpu.Zip(baselineCpu, (e, b) => e - b).ToList());
    Console.WriteLine($"| All analyzers of the earlier build | {Median(earlierCpu):F0} |");
    Console.WriteLine($"| The earlier build's own CPU | {earlierOwnCpu:F0} |");
    Console.WriteLine();
    Console.WriteLine($"Current ÷ earlier, CPU: all analyzers {Median(sluiceCpu) / Median(earlierCpu):F2}; own {(earlierOwnCpu > 0 ? $"{ownCpu / earlierOwnCpu:F2}" : "n/a")}.");
}

Console.WriteLine();
Console.WriteLine("Per analyzer, as Roslyn's analyzer telemetry charges it (summed over threads; includes the driver's work on its behalf):");
Console.WriteLine();
if (earlier.IsEmpty)
{
    Console.WriteLine("| Analyzer | Median (ms) |");
    Console.WriteLine("|---|---:|");
    foreach (var (name, times) in perAnalyzer.OrderByDescending(p => Median(p.Value)))
    {
        Console.WriteLine($"| {name} | {Median(times):F0} |");
    }
}
else
{
    // Side by side, measured in the same iterations: the only per-analyzer before/after worth reading on a shared machine.
    Console.WriteLine("| Analyzer | Median (ms), current | Median (ms), earlier |");
    Console.WriteLine("|---|---:|---:|");
    foreach (var name in perAnalyzer.Keys.Union(earlierPerAnalyzer.Keys).OrderByDescending(n => perAnalyzer.TryGetValue(n, out var t) ? Median(t) : 0))
    {
        var now = perAnalyzer.TryGetValue(name, out var current) ? $"{Median(current):F0}" : "–";
        var then = earlierPerAnalyzer.TryGetValue(name, out var previous) && previous.Count > 0 ? $"{Median(previous):F0}" : "–";
        Console.WriteLine($"| {name} | {now} | {then} |");
    }
}

Console.WriteLine();
Console.WriteLine("Findings in the corpus: " + string.Join(", ", findings.Select(f => $"{f.Key} {f.Value:N0}")));
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static async Task<(double Milliseconds, double CpuMilliseconds, ImmutableArray<Diagnostic> Diagnostics, List<(string Name, double Milliseconds)> Telemetry)> AnalyzeAsync(
    Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers)
{
    var withAnalyzers = compilation.WithAnalyzers(
        analyzers,
        new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: true));
    using var process = Process.GetCurrentProcess();
    var cpuBefore = process.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
    var elapsed = clock.Elapsed.TotalMilliseconds;
    process.Refresh();
    var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
    var telemetry = new List<(string, double)>();
    foreach (var analyzer in analyzers)
    {
        telemetry.Add((analyzer.GetType().Name, (await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None)).ExecutionTime.TotalMilliseconds));
    }

    return (elapsed, cpu, diagnostics, telemetry);
}
