using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Sluice.Analyzers.Baseline;
using Sluice.Analyzers.Reliability;

namespace Sluice.Analyzers.Tests.Baseline;

/// <summary>
/// The baseline suppressor over real SLU201/SLU301 findings and baselines written as MSBuild logs them
/// (<c>path(line,col): warning SLU201: message (help link) [project]</c>).
/// </summary>
public sealed class BaselineSuppressorTests
{
    private const string Import = """
        namespace Consumer;

        public static class Import
        {
            public static int Run(string[] lines)
            {
                var imported = 0;
                foreach (var line in lines)
                {
                    try { imported += int.Parse(line, System.Globalization.CultureInfo.InvariantCulture); }
                    catch (System.Exception) { continue; }
                }

                return imported;
            }

            public static int Again(string[] lines)
            {
                var imported = 0;
                foreach (var line in lines)
                {
                    try { imported += int.Parse(line, System.Globalization.CultureInfo.InvariantCulture); }
                    catch (System.Exception) { continue; }
                }

                return imported;
            }

            public static int Rows(string[] rows)
            {
                var imported = 0;
                foreach (var row in rows)
                {
                    try { imported += int.Parse(row, System.Globalization.CultureInfo.InvariantCulture); }
                    catch (System.Exception) { continue; }
                }

                return imported;
            }
        }
        """;

    private const string Client = """
        namespace Consumer;

        public static class Client
        {
            public static System.Net.Http.HttpClient Create() => new() { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        }
        """;

    [Fact]
    public async Task Without_a_baseline_nothing_is_suppressed()
    {
        var findings = await RunAsync(baseline: null);
        Assert.Equal(4, findings.Count);
        Assert.DoesNotContain(findings, f => f.IsSuppressed);
    }

    [Fact]
    public async Task A_logged_finding_is_suppressed_whatever_its_position_folder_help_link_and_project()
    {
        var all = await RunAsync(baseline: null);
        var rows = all.Single(f => f.Message.Contains("'rows'", StringComparison.Ordinal));
        var client = all.Single(f => f.Id == "SLU301");
        var baseline = $"""
            C:\agent\work\src\Import.cs(200,3): warning SLU201: {rows.Message} (https://example.invalid/docs/rules/SLU201.md) [C:\agent\work\src\Consumer.csproj]
            /home/ci/checkout/src/Client.cs(1,1): error SLU301: {client.Message} [/home/ci/checkout/src/Consumer.csproj]
            """;

        var findings = await RunAsync(baseline);
        Assert.True(findings.Single(f => f.Message == rows.Message).IsSuppressed);
        Assert.True(findings.Single(f => f.Id == "SLU301").IsSuppressed);
        Assert.Equal(2, findings.Count(f => !f.IsSuppressed));
    }

    [Fact]
    public async Task A_line_accepts_one_finding_and_a_repeated_line_still_one()
    {
        var all = await RunAsync(baseline: null);
        var lines = all.First(f => f.Message.Contains("'lines'", StringComparison.Ordinal));
        var line = $"/src/Import.cs(11,13): warning SLU201: {lines.Message} [/src/Consumer.csproj]";

        // Two findings (Run and Again) have this message; a log of a multi-targeted project repeats each line.
        var once = await RunAsync(line + "\n" + line);
        Assert.Single(once, f => f.Message == lines.Message && f.IsSuppressed);
        Assert.Single(once, f => f.Message == lines.Message && !f.IsSuppressed);

        var twice = await RunAsync(line + "\n" + line.Replace("(11,13)", "(22,13)", StringComparison.Ordinal));
        Assert.Equal(2, twice.Count(f => f.Message == lines.Message && f.IsSuppressed));
    }

    [Fact]
    public async Task Near_misses_are_not_suppressed()
    {
        var all = await RunAsync(baseline: null);
        var rows = all.Single(f => f.Message.Contains("'rows'", StringComparison.Ordinal));
        var baseline = $"""
            /src/Other.cs(1,1): warning SLU201: {rows.Message} [/src/Consumer.csproj]
            /src/Import.cs(1,1): warning SLU202: {rows.Message} [/src/Consumer.csproj]
            /src/Import.cs(1,1): warning SLU201: {rows.Message.Replace("'rows'", "'records'", StringComparison.Ordinal)} [/src/Consumer.csproj]
            /src/Import.cs(1,1): warning CA1000: {rows.Message} [/src/Consumer.csproj]
            Import.cs: warning SLU201: {rows.Message}
            """;

        var findings = await RunAsync(baseline);
        Assert.DoesNotContain(findings, f => f.IsSuppressed);
    }

    [Fact]
    public async Task An_additional_file_not_marked_as_the_baseline_is_ignored()
    {
        var all = await RunAsync(baseline: null);
        var baseline = string.Join('\n', all.Select((f, i) => $"/src/{f.File}({i + 1},1): warning {f.Id}: {f.Message} [/src/Consumer.csproj]"));

        Assert.Equal(4, (await RunAsync(baseline)).Count(f => f.IsSuppressed));
        Assert.DoesNotContain(await RunAsync(baseline, marked: false), f => f.IsSuppressed);
    }

    [Fact]
    public void Every_rule_can_be_baselined()
    {
        var ids = typeof(RuleIds).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.NotEmpty(ids);
        Assert.Equal(ids.Order(StringComparer.Ordinal), new BaselineSuppressor().SupportedSuppressions.Select(s => s.SuppressedDiagnosticId).Order(StringComparer.Ordinal));
    }

    private static async Task<List<(string Id, string File, string Message, bool IsSuppressed)>> RunAsync(string? baseline, bool marked = true)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "netstandard.dll" or "mscorlib.dll")
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            "Consumer",
            [CSharpSyntaxTree.ParseText(Import, path: "/src/Import.cs"), CSharpSyntaxTree.ParseText(Client, path: "/src/Client.cs")],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var additional = baseline is null ? ImmutableArray<AdditionalText>.Empty : [new Text("/src/sluice.baseline", baseline)];
        var options = new AnalyzerOptions(additional, new Marked(marked));
        var diagnostics = await compilation
            .WithAnalyzers([new SwallowedExceptionAnalyzer(), new InfiniteTimeoutAnalyzer(), new BaselineSuppressor()], new CompilationWithAnalyzersOptions(options, null, concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true))
            .GetAnalyzerDiagnosticsAsync();
        return diagnostics
            .Select(d => (d.Id, Path.GetFileName(d.Location.SourceTree!.FilePath), d.GetMessage(CultureInfo.InvariantCulture), d.IsSuppressed))
            .ToList();
    }

    private sealed class Text(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    /// <summary>What the package's targets give the baseline file: the SluiceBaseline metadata, when marked.</summary>
    private sealed class Marked(bool marked) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(ImmutableDictionary<string, string>.Empty);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile)
            => new Options(marked ? ImmutableDictionary<string, string>.Empty.Add("build_metadata.AdditionalFiles.SluiceBaseline", "true") : ImmutableDictionary<string, string>.Empty);

        private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}
