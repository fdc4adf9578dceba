using System.IO.Compression;
using System.Reflection;
using System.Text.Json;

namespace Sluice.EndToEnd.Tests;

/// <summary>
/// The package carries one build of the analyzers and fixes per supported Roslyn (analyzers/dotnet/roslyn4.8/cs and
/// roslyn4.14/cs). The 4.8 build is proven in the Roslyn 4.8 compiler, driven by a program built against
/// Microsoft.CodeAnalysis 4.8.0 in its own process; the 4.14 build is the one the SDK's compiler picks, and reports
/// in every <c>dotnet build</c> of the other end-to-end tests.
/// </summary>
public sealed class RoslynVersionTests(PackedPackages packages) : IClassFixture<PackedPackages>
{

    // Collection expressions have no operation of their own in Roslyn 4.8: the 4.8 build recognizes them by their
    // syntax, so a fan-out over a fixed list stays silent and one that spreads a parameter reports.
    private const string SendSource = """
        using System.Linq;
        using System.Threading.Tasks;

        namespace Consumer;

        public static class Send
        {
            public static Task AllAsync(int[] orders) => Task.WhenAll(orders.Select(async o => await SendAsync(o)));

            public static Task FixedAsync() => Task.WhenAll(((int[])[1, 2, 3]).Select(async o => await SendAsync(o)));

            public static Task SpreadAsync(int[] orders) => Task.WhenAll(((int[])[1, .. orders]).Select(async o => await SendAsync(o)));

            private static Task SendAsync(int order) => Task.Delay(order);
        }
        """;

    private static string Roslyn48Driver { get; } = typeof(RoslynVersionTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "Roslyn48Driver").Value!;

    [Fact]
    public async Task The_roslyn4_8_build_loads_its_analyzers_and_fixes_and_reports_in_the_Roslyn_4_8_compiler()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var folder = Path.Combine(packages.Root, "roslyn4.8-" + Guid.NewGuid().ToString("N")[..8]);
        var analyzers = Path.Combine(folder, "analyzers");
        Directory.CreateDirectory(analyzers);
        using (var package = ZipFile.OpenRead(Path.Combine(packages.Feed, $"Sluice.Analyzers.{packages.Version}.nupkg")))
        {
            foreach (var entry in package.Entries.Where(e => e.FullName.StartsWith("analyzers/dotnet/roslyn4.8/cs/", StringComparison.Ordinal)))
            {
                entry.ExtractToFile(Path.Combine(analyzers, entry.Name));
            }
        }

        var sources = new[] { ("Import.cs", ConsumerProject.ImportSource), ("Client.cs", ConsumerProject.TimeoutClientSource), ("Send.cs", SendSource) };
        foreach (var (name, text) in sources)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, name), text);
        }

        var run = await DotNetCli.RunAsync(folder, environment: null, [Roslyn48Driver, analyzers, .. sources.Select(s => Path.Combine(folder, s.Item1))]);
        Assert.True(run.ExitCode == 0, "The 4.8 build must load with no failure and the sample must compile.\n" + run);
        var lines = run.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();

        Assert.Contains("roslyn 4.8.0.0", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("load-failure", StringComparison.Ordinal) || l.StartsWith("analyzer-exception", StringComparison.Ordinal));
        var analyzerCount = lines.Single(l => l.StartsWith("analyzer Sluice.Analyzers.dll ", StringComparison.Ordinal));
        Assert.True(int.Parse(analyzerCount.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture) > 0, analyzerCount);
        Assert.Contains(lines, l => l.StartsWith("fix SwallowedExceptionCodeFix SLU201", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("fix UnboundedFanOutCodeFix SLU501", StringComparison.Ordinal));

        var diagnostics = lines.Where(l => l.StartsWith("diagnostic SLU", StringComparison.Ordinal)).ToList();
        Assert.Contains(
            Diagnostic("SLU201", "Warning", "Import.cs", ConsumerProject.ImportSource, "catch (System.Exception)", "'catch (System.Exception)' swallows the exception: the loop over 'lines' goes on to the next record, so 'line' is lost and the exception is not rethrown, logged or passed on"),
            diagnostics);
        Assert.Contains(diagnostics, d => d.StartsWith(Prefix("SLU301", "Warning", "Client.cs", ConsumerProject.TimeoutClientSource, "Timeout = Timeout.InfiniteTimeSpan"), StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.StartsWith(Prefix("SLU501", "Info", "Send.cs", SendSource, "Task.WhenAll(orders.Select(async o => await SendAsync(o)))"), StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.StartsWith(Prefix("SLU501", "Info", "Send.cs", SendSource, "Task.WhenAll(((int[])[1, .. orders]).Select(async o => await SendAsync(o)))"), StringComparison.Ordinal));
        Assert.DoesNotContain(diagnostics, d => d.Contains("|Send.cs|" + Line(SendSource, "[1, 2, 3]") + ",", StringComparison.Ordinal));
        Assert.All(diagnostics, d => Assert.EndsWith($"/docs/rules/{d["diagnostic ".Length..("diagnostic ".Length + 6)]}.md", d, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_SDK_compiler_loads_the_roslyn4_14_build()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var project = ConsumerProject.Create(packages, ConsumerProject.AnalyzersOnly(packages), [("Import.cs", ConsumerProject.ImportSource)]);
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(project, ".packages") };

        var restore = await DotNetCli.RunAsync(project, environment, "restore");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var resolve = await DotNetCli.RunAsync(project, environment, "msbuild", "-t:ResolveLockFileAnalyzers", "-getItem:Analyzer", "-nodeReuse:false");
        Assert.True(resolve.ExitCode == 0, resolve.ToString());

        var json = resolve.Output[resolve.Output.IndexOf('{', StringComparison.Ordinal)..];
        using var items = JsonDocument.Parse(json);
        var paths = items.RootElement.GetProperty("Items").GetProperty("Analyzer").EnumerateArray()
            .Select(item => item.GetProperty("FullPath").GetString()!.Replace('\\', '/'))
            .Where(path => path.Contains("/sluice.analyzers/", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var sluice = paths.Select(Path.GetFileName).ToList();
        Assert.Equal(["Sluice.Analyzers.dll", "Sluice.CodeFixes.dll"], sluice.Order(StringComparer.Ordinal));
        Assert.All(paths, path => Assert.Contains("/analyzers/dotnet/roslyn4.14/cs/", path, StringComparison.Ordinal));
    }

    private static string Diagnostic(string id, string severity, string file, string source, string span, string message)
        => $"{Prefix(id, severity, file, source, span)}{message}|https://github.com/sluice-dotnet/sluice/blob/main/docs/rules/{id}.md";

    /// <summary>The driver's line up to the message: id, severity, file and the span of <paramref name="span"/>.</summary>
    private static string Prefix(string id, string severity, string file, string source, string span)
    {
        var (line, column) = ConsumerProject.PositionOf(source, span);
        return $"diagnostic {id}|{severity}|{file}|{line},{column}|{line},{column + span.Length}|";
    }

    private static int Line(string source, string text) => ConsumerProject.PositionOf(source, text).Line;
}
