using System.IO.Compression;
using System.Xml.Linq;

namespace Sluice.EndToEnd.Tests;

/// <summary>
/// The packages as a consumer meets them: installed from a feed into a fresh project, reporting in
/// <c>dotnet build</c>, failing a warnings-as-errors build, and fixed by <c>dotnet format analyzers</c>
/// (which applies the first fix each rule offers).
/// </summary>
public sealed partial class ConsumerTests(PackedPackages packages) : IClassFixture<PackedPackages>
{

    private const string ClientSource = """
        using System;
        using System.Net.Http;
        using System.Threading;

        namespace Consumer;

        public static class Client
        {
            public static HttpClient Create() => new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

            public static void Enter(SemaphoreSlim gate)
            {
                gate.Wait();
            }
        }
        """;

    private const string RecordsSource = """
        namespace Consumer;

        public static class Records
        {
            public static int Load(string[] lines)
            {
                var loaded = 0;
                foreach (var line in lines)
                {
                    try
                    {
                        loaded += int.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
                    }
                    catch (System.FormatException ex)
                    {
                        System.Console.Error.WriteLine(ex);
                    }
                }

                return loaded;
            }
        }
        """;

    private const string OrdersSource = """
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.EntityFrameworkCore;

        namespace Consumer;

        public sealed class Order
        {
            public int Id { get; set; }

            public decimal Amount { get; set; }
        }

        public sealed class ShopDb(DbContextOptions<ShopDb> options) : DbContext(options)
        {
            public DbSet<Order> Orders => Set<Order>();
        }

        public static class Orders
        {
            public static async Task<decimal> TotalAsync(ShopDb db, decimal minimum, CancellationToken token)
            {
                var total = 0m;
                var orders = await db.Orders.Where(o => o.Amount >= minimum).ToListAsync(token);
                foreach (var order in orders)
                {
                    total += order.Amount;
                }

                return total;
            }

            public static int Count(ShopDb db)
            {
                var count = 0;
                foreach (var order in db.Orders.ToList())
                {
                    count += order.Id > 0 ? 1 : 0;
                }

                return count;
            }
        }
        """;

    private const string LinesSource = """
        using System.Globalization;
        using System.IO;
        using System.Linq;

        namespace Consumer;

        public static class Lines
        {
            public static int CountNonEmpty(string path)
            {
                var count = 0;
                foreach (var line in File.ReadAllLines(path))
                {
                    count += line.Length > 0 ? 1 : 0;
                }

                return count;
            }

            public static int SumAfterHeader(string path)
            {
                var lines = File.ReadAllLines(path);
                var sum = 0;
                foreach (var line in lines.Skip(1))
                {
                    sum += int.Parse(line, CultureInfo.InvariantCulture);
                }

                return sum;
            }
        }
        """;

    private const string FetchSource = """
        using System;
        using System.IO;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        namespace Consumer;

        public static class Fetch
        {
            public static async Task<string> FetchAsync(Func<CancellationToken, Task<string>> call, CancellationToken token)
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        return await call(token);
                    }
                    catch (HttpRequestException) when (attempt < 4)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), token);
                    }
                }
            }

            public static void Save(Action save)
            {
                for (var attempt = 1; attempt <= 3; attempt++)
                {
                    try
                    {
                        save();
                        return;
                    }
                    catch (IOException)
                    {
                        if (attempt == 3)
                        {
                            throw;
                        }

                        Thread.Sleep(200);
                    }
                }
            }
        }
        """;

    // Hands the runtime a logger from the consumer's own pinned Microsoft.Extensions.Logging.Abstractions.
    private const string PinnedConsumerSource = """
        using System.Collections.Generic;
        using Microsoft.Extensions.Logging;
        using Sluice;

        namespace Consumer;

        public static class Jobs
        {
            public static SluicePipeline<int> Create(IEnumerable<int> records, ILogger logger)
                => SluicePipeline.From(records).WithName("pinned").WithLogger(logger);
        }
        """;

    // Drives the retry loops against fake transient failures and reads a file line by line; its output must be the
    // same before and after dotnet format rewrites the loops and the whole-file reads.
    private const string ProgramSource = """
        using System;
        using System.IO;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using Consumer;

        var calls = 0;
        var fetched = await Fetch.FetchAsync(
            _ => ++calls < 3 ? throw new HttpRequestException("transient") : Task.FromResult("ok"),
            CancellationToken.None);
        Console.WriteLine($"fetch: {fetched} after {calls} attempts");

        var saves = 0;
        Fetch.Save(() =>
        {
            if (++saves < 2)
            {
                throw new IOException("transient");
            }
        });
        Console.WriteLine($"save: succeeded after {saves} attempts");

        var failing = 0;
        try
        {
            Fetch.Save(() => throw new IOException($"down {++failing}"));
        }
        catch (IOException ex)
        {
            Console.WriteLine($"save: gave up after {failing} attempts with '{ex.Message}'");
        }

        var path = Path.Combine(Path.GetTempPath(), $"consumer-{Guid.NewGuid():N}.csv");
        File.WriteAllLines(path, ["amount", "1", "2", "", "3"]);
        Console.WriteLine($"lines: {Lines.CountNonEmpty(path)} non-empty");
        File.WriteAllLines(path, ["amount", "1", "2", "3"]);
        Console.WriteLine($"sum: {Lines.SumAfterHeader(path)}");
        File.Delete(path);
        """;

    [Fact]
    public void Packing_the_solution_produces_exactly_the_published_packages()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var names = Directory.GetFiles(packages.Feed).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([$"Sluice.{packages.Version}.nupkg", $"Sluice.Analyzers.{packages.Version}.nupkg", $"Sluice.Cli.{packages.Version}.nupkg", $"Sluice.PostgreSql.{packages.Version}.nupkg", $"Sluice.RabbitMq.{packages.Version}.nupkg"], names);

        // The operations command is a .NET tool named `sluice`.
        using (var tool = ZipFile.OpenRead(Path.Combine(packages.Feed, $"Sluice.Cli.{packages.Version}.nupkg")))
        {
            Assert.Contains("tools/net10.0/any/Sluice.Cli.dll", tool.Entries.Select(e => e.FullName));
            Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", tool.Entries.Select(e => e.FullName));
            Assert.Equal("DotnetTool", (string?)ReadNuspec(tool, "Sluice.Cli.nuspec").Descendants().Single(e => e.Name.LocalName == "packageType").Attribute("name"));
        }

        using var analyzers = ZipFile.OpenRead(Path.Combine(packages.Feed, $"Sluice.Analyzers.{packages.Version}.nupkg"));
        var entries = analyzers.Entries.Select(e => e.FullName).ToList();
        foreach (var roslyn in new[] { "roslyn4.8", "roslyn4.14" })
        {
            Assert.Contains($"analyzers/dotnet/{roslyn}/cs/Sluice.Analyzers.dll", entries);
            Assert.Contains($"analyzers/dotnet/{roslyn}/cs/Sluice.CodeFixes.dll", entries);
        }

        // Only the per-Roslyn folders: a compiler would load a version-less folder besides them.
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/dotnet/cs/", StringComparison.Ordinal));
        Assert.Contains("README.md", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));

        var nuspec = ReadNuspec(analyzers, "Sluice.Analyzers.nuspec");
        Assert.Equal("true", nuspec.Descendants().Single(e => e.Name.LocalName == "developmentDependency").Value);
        Assert.DoesNotContain(nuspec.Descendants(), e => e.Name.LocalName == "dependency");

        using var runtime = ZipFile.OpenRead(Path.Combine(packages.Feed, $"Sluice.{packages.Version}.nupkg"));
        var runtimeEntries = runtime.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("lib/net8.0/Sluice.dll", runtimeEntries);
        Assert.Contains("lib/net10.0/Sluice.dll", runtimeEntries);
        var runtimeNuspec = ReadNuspec(runtime, "Sluice.nuspec");
        Assert.Contains(
            runtimeNuspec.Descendants().Where(e => e.Name.LocalName == "dependency"),
            dependency => (string?)dependency.Attribute("id") == "Polly.Core");

        // Each target framework depends on Microsoft.Extensions of its own band, not the newest one.
        var logging = runtimeNuspec.Descendants()
            .Where(e => e.Name.LocalName == "group")
            .ToDictionary(
                group => (string)group.Attribute("targetFramework")!,
                group => (string?)group.Elements().SingleOrDefault(d => (string?)d.Attribute("id") == "Microsoft.Extensions.Logging.Abstractions")?.Attribute("version"));
        Assert.StartsWith("8.0.", logging["net8.0"], StringComparison.Ordinal);
        Assert.StartsWith("10.0.", logging["net10.0"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_consumer_pinned_to_the_first_Microsoft_Extensions_release_of_its_target_restores_and_builds_without_a_downgrade()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());

        // The strictest pins a consumer of each band can have: the band's first release. A runtime dependency above
        // them is a package downgrade (NU1605), which fails the restore.
        var project = CreateProject(
            $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFrameworks>net8.0;net10.0</TargetFrameworks>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Sluice" Version="{packages.Version}" />
                <PackageReference Include="Microsoft.Extensions.Logging.Abstractions" Version="8.0.0" Condition="'$(TargetFramework)' == 'net8.0'" />
                <PackageReference Include="Microsoft.Extensions.Logging.Abstractions" Version="10.0.0" Condition="'$(TargetFramework)' == 'net10.0'" />
              </ItemGroup>
            </Project>
            """,
            ("Jobs.cs", PinnedConsumerSource));
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(project, ".packages") };

        var build = await DotNetCli.RunAsync(project, environment, "build", "-nodeReuse:false");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.DoesNotContain("NU1605", build.Output, StringComparison.Ordinal);
        Assert.Contains("bin/Debug/net8.0/Consumer.dll", build.Output, StringComparison.Ordinal);
        Assert.Contains("bin/Debug/net10.0/Consumer.dll", build.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_consumer_build_reports_the_rules_fails_as_errors_and_is_fixed_by_dotnet_format()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var project = CreateConsumer();
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(project, ".packages") };
        var expected = new[]
        {
            (File: "Import.cs", Id: "SLU201", Position: PositionOf(ConsumerProject.ImportSource, "catch (System.Exception)"), Message: "'catch (System.Exception)' swallows the exception"),
            (File: "Client.cs", Id: "SLU301", Position: PositionOf(ClientSource, "Timeout = "), Message: "HttpClient.Timeout is infinite (Timeout.InfiniteTimeSpan)"),
            (File: "Records.cs", Id: "SLU202", Position: PositionOf(RecordsSource, "catch (System.FormatException ex)"), Message: "'catch (System.FormatException ex)' logs the failure and moves on to the next record, so 'line' is lost"),
        };

        // SLU302 is a suggestion by default (its precision on real code is under the warning bar): the build does not
        // print it and warnings-as-errors does not fail on it, but its fix still applies.
        var blockingWait = $"Client.cs{PositionOf(ClientSource, "gate.Wait()")}: ";
        var build = await DotNetCli.RunAsync(project, environment, "build", "-nodeReuse:false");
        Assert.True(build.ExitCode == 0, build.ToString());
        foreach (var (file, id, position, message) in expected)
        {
            Assert.Contains($"{file}{position}: warning {id}: {message}", build.Output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(blockingWait + "warning SLU302", build.Output, StringComparison.Ordinal);

        var strict = await DotNetCli.RunAsync(project, environment, "build", "--no-incremental", "-warnaserror", "-nodeReuse:false");
        Assert.True(strict.ExitCode != 0, "A warnings-as-errors build must fail on Sluice's findings.\n" + strict);
        foreach (var (file, id, position, _) in expected)
        {
            Assert.Contains($"{file}{position}: error {id}", strict.Output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(blockingWait + "error SLU302", strict.Output, StringComparison.Ordinal);

        var format = await DotNetCli.RunAsync(
            project, environment, "format", "analyzers", "Consumer.csproj", "--diagnostics", "SLU201", "SLU202", "SLU301", "SLU302", "--severity", "info");
        Assert.True(format.ExitCode == 0, format.ToString());

        var import = await File.ReadAllTextAsync(Path.Combine(project, "Import.cs"));
        Assert.Contains("throw;", import, StringComparison.Ordinal);
        Assert.DoesNotContain("continue;", import, StringComparison.Ordinal);
        var client = await File.ReadAllTextAsync(Path.Combine(project, "Client.cs"));
        Assert.Contains("Timeout = TimeSpan.FromSeconds(100)", client, StringComparison.Ordinal);
        Assert.Contains("if (!gate.Wait(TimeSpan.FromSeconds(100)))", client, StringComparison.Ordinal);
        Assert.Contains("throw new TimeoutException(\"SemaphoreSlim.Wait did not complete within 100 seconds.\");", client, StringComparison.Ordinal);

        var records = await File.ReadAllTextAsync(Path.Combine(project, "Records.cs"));
        Assert.Contains("System.Console.Error.WriteLine(ex);", records, StringComparison.Ordinal);
        Assert.Contains("throw;", records, StringComparison.Ordinal);

        var rebuilt = await DotNetCli.RunAsync(project, environment, "build", "--no-incremental", "-warnaserror", "-nodeReuse:false");
        Assert.True(rebuilt.ExitCode == 0, "The fixed project must build cleanly with warnings as errors.\n" + rebuilt);
        Assert.DoesNotContain(" SLU", rebuilt.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SluiceAnalysisMode_selects_the_rules_and_rejects_an_unknown_mode()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var project = CreateConsumer();
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(project, ".packages") };
        var blockingWait = $"Client.cs{PositionOf(ClientSource, "gate.Wait()")}: ";

        // None: not one rule, so even a warnings-as-errors build passes.
        var none = await DotNetCli.RunAsync(project, environment, "build", "-warnaserror", "-p:SluiceAnalysisMode=None", "-nodeReuse:false");
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.DoesNotContain(" SLU", none.Output, StringComparison.Ordinal);

        // All: every rule as a warning, the suggestions included.
        var all = await DotNetCli.RunAsync(project, environment, "build", "--no-incremental", "-p:SluiceAnalysisMode=All", "-nodeReuse:false");
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Contains(blockingWait + "warning SLU302", all.Output, StringComparison.Ordinal);
        Assert.Contains("warning SLU201", all.Output, StringComparison.Ordinal);

        // A rule's own .editorconfig setting wins over the mode.
        File.WriteAllText(Path.Combine(project, ".editorconfig"), "root = true\n\n[*.cs]\ndotnet_diagnostic.SLU302.severity = error\n");
        var overridden = await DotNetCli.RunAsync(project, environment, "build", "--no-incremental", "-p:SluiceAnalysisMode=None", "-nodeReuse:false");
        Assert.True(overridden.ExitCode != 0, overridden.ToString());
        Assert.Contains(blockingWait + "error SLU302", overridden.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("SLU201", overridden.Output, StringComparison.Ordinal);

        var unknown = await DotNetCli.RunAsync(project, environment, "build", "-p:SluiceAnalysisMode=Strict", "-nodeReuse:false");
        Assert.True(unknown.ExitCode != 0, unknown.ToString());
        Assert.Contains("error SLU0001: SluiceAnalysisMode is 'Strict'; use Default, Recommended, All or None", unknown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_runtime_consumer_is_streamed_and_retried_by_dotnet_format_and_behaves_the_same()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var project = CreateConsumer(
            runtime: true,
            ("Orders.cs", OrdersSource),
            ("Lines.cs", LinesSource),
            ("Fetch.cs", FetchSource),
            ("Program.cs", ProgramSource));
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(project, ".packages") };
        var expected = new[]
        {
            (File: "Orders.cs", Id: "SLU101", Position: PositionOf(OrdersSource, "db.Orders.Where")),
            (File: "Orders.cs", Id: "SLU101", Position: PositionOf(OrdersSource, "db.Orders.ToList()")),
            (File: "Lines.cs", Id: "SLU102", Position: PositionOf(LinesSource, "File.ReadAllLines(path))")),
            (File: "Lines.cs", Id: "SLU102", Position: PositionOf(LinesSource, "File.ReadAllLines(path);")),
            (File: "Fetch.cs", Id: "SLU402", Position: PositionOf(FetchSource, "for (var attempt = 1; ;")),
            (File: "Fetch.cs", Id: "SLU402", Position: PositionOf(FetchSource, "for (var attempt = 1; attempt <= 3;")),
        };

        var before = await DotNetCli.RunAsync(project, environment, "run", "-nodeReuse:false");
        Assert.True(before.ExitCode == 0, before.ToString());
        foreach (var (file, id, position) in expected)
        {
            Assert.Contains($"{file}{position}: warning {id}", before.Output, StringComparison.Ordinal);
        }

        var behaviour = ProgramOutput(before.Output);
        Assert.Equal(
            [
                "fetch: ok after 3 attempts",
                "save: succeeded after 2 attempts",
                "save: gave up after 3 attempts with 'down 3'",
                "lines: 4 non-empty",
                "sum: 6",
            ],
            behaviour);

        // 'info': dotnet format's --severity filter reads a rule's default or .editorconfig severity, not the warning that
        // SluiceAnalysisMode's globalconfig gives it, so at 'warn' it would leave these suggestions alone.
        var format = await DotNetCli.RunAsync(
            project, environment, "format", "analyzers", "Consumer.csproj", "--diagnostics", "SLU101", "SLU102", "SLU402", "--severity", "info");
        Assert.True(format.ExitCode == 0, format.ToString());

        var orders = await File.ReadAllTextAsync(Path.Combine(project, "Orders.cs"));
        Assert.DoesNotContain("ToList", orders, StringComparison.Ordinal);
        var lines = await File.ReadAllTextAsync(Path.Combine(project, "Lines.cs"));
        Assert.DoesNotContain("ReadAllLines", lines, StringComparison.Ordinal);
        Assert.Contains("File.ReadLines(path)", lines, StringComparison.Ordinal);
        var fetch = await File.ReadAllTextAsync(Path.Combine(project, "Fetch.cs"));
        Assert.Contains("SluiceResilience.RetryAsync(", fetch, StringComparison.Ordinal);
        Assert.Contains("SluiceResilience.Retry(", fetch, StringComparison.Ordinal);
        Assert.DoesNotContain("Thread.Sleep", fetch, StringComparison.Ordinal);
        Assert.DoesNotContain("Task.Delay", fetch, StringComparison.Ordinal);

        var after = await DotNetCli.RunAsync(project, environment, "run", "--no-incremental", "-warnaserror", "-nodeReuse:false");
        Assert.True(after.ExitCode == 0, "The fixed project must build cleanly with warnings as errors and run.\n" + after + "\n" + fetch + "\n" + orders + "\n" + lines);
        Assert.DoesNotContain(" SLU", after.Output, StringComparison.Ordinal);
        Assert.Equal(behaviour, ProgramOutput(after.Output));
    }

    /// <summary>The lines the consumer program printed, without the build's own output.</summary>
    private static List<string> ProgramOutput(string output)
        => output.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.StartsWith("fetch: ", StringComparison.Ordinal) || line.StartsWith("save: ", StringComparison.Ordinal)
                || line.StartsWith("lines: ", StringComparison.Ordinal) || line.StartsWith("sum: ", StringComparison.Ordinal))
            .ToList();

    /// <summary>The MSBuild "(line,column)" of the first occurrence of <paramref name="text"/>.</summary>
    private static string PositionOf(string source, string text)
    {
        var (line, column) = ConsumerProject.PositionOf(source, text);
        return $"({line},{column})";
    }

    private string CreateConsumer() => CreateConsumer(
        runtime: false,
        ("Import.cs", ConsumerProject.ImportSource),
        ("Client.cs", ClientSource),
        ("Records.cs", RecordsSource));

    /// <summary>
    /// A fresh project that installs the packages from the test feed only. A runtime consumer is a program that also
    /// references the Sluice runtime and EF Core, whose dependencies come from the machine's global packages folder
    /// (the test run restored the same versions), so the consumer needs no registry. It opts into every rule as a
    /// warning (SluiceAnalysisMode All), since some of the rules whose fixes go to the runtime are suggestions by default.
    /// </summary>
    private string CreateConsumer(bool runtime, params (string Name, string Text)[] sources) => CreateProject(
        $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            {(runtime ? "<OutputType>Exe</OutputType>" : "")}
            {(runtime ? "<SluiceAnalysisMode>All</SluiceAnalysisMode>" : "")}
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Sluice.Analyzers" Version="{packages.Version}" PrivateAssets="all" />
            {(runtime ? $"""<PackageReference Include="Sluice" Version="{packages.Version}" />""" : "")}
            {(runtime ? $"""<PackageReference Include="Microsoft.EntityFrameworkCore" Version="{PackedPackages.EntityFrameworkCoreVersion}" />""" : "")}
          </ItemGroup>
        </Project>
        """,
        sources);

    /// <summary>A fresh project, Consumer.csproj, with its sources, restoring from the test feed and the machine's packages only.</summary>
    private string CreateProject(string projectFile, params (string Name, string Text)[] sources)
        => ConsumerProject.Create(packages, projectFile, sources);

    /// <summary>
    /// A fresh project with the analyzers and one library (<paramref name="packageId"/> at <paramref name="version"/>,
    /// restored from the machine's packages folder), with <paramref name="properties"/> in its property group.
    /// </summary>
    private string CreateLibraryConsumer(string packageId, string version, string properties, params (string Name, string Text)[] sources)
        => CreateProject(
            $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                {properties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Sluice.Analyzers" Version="{packages.Version}" PrivateAssets="all" />
                <PackageReference Include="{packageId}" Version="{version}" />
              </ItemGroup>
            </Project>
            """,
            sources);

    private static XDocument ReadNuspec(ZipArchive package, string name)
    {
        using var stream = package.GetEntry(name)!.Open();
        return XDocument.Load(stream);
    }
}
