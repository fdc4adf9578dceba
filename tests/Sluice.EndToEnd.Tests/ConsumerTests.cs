using System.IO.Compression;
using System.Xml.Linq;

namespace Sluice.EndToEnd.Tests;

/// <summary>
/// The packages as a consumer meets them: installed from a feed into a fresh project, reporting in
/// <c>dotnet build</c>, failing a warnings-as-errors build, and fixed by <c>dotnet format analyzers</c>
/// (which applies the first fix each rule offers).
/// </summary>
public sealed class ConsumerTests(PackedPackages packages) : IClassFixture<PackedPackages>
{
    private const string ImportSource = """
        namespace Consumer;

        public static class Import
        {
            public static int Run(string[] lines)
            {
                var imported = 0;
                foreach (var line in lines)
                {
                    try
                    {
                        imported += int.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
                    }
                    catch (System.Exception)
                    {
                        continue;
                    }
                }

                return imported;
            }
        }
        """;

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

    [Fact]
    public void Packing_the_solution_produces_exactly_the_analyzer_and_runtime_packages()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var names = Directory.GetFiles(packages.Feed).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([$"Sluice.{packages.Version}.nupkg", $"Sluice.Analyzers.{packages.Version}.nupkg"], names);

        using var analyzers = ZipFile.OpenRead(Path.Combine(packages.Feed, $"Sluice.Analyzers.{packages.Version}.nupkg"));
        var entries = analyzers.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("analyzers/dotnet/cs/Sluice.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Sluice.CodeFixes.dll", entries);
        Assert.Contains("README.md", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));

        var nuspec = ReadNuspec(analyzers, "Sluice.Analyzers.nuspec");
        Assert.Equal("true", nuspec.Descendants().Single(e => e.Name.LocalName == "developmentDependency").Value);
        Assert.DoesNotContain(nuspec.Descendants(), e => e.Name.LocalName == "dependency");

        using var runtime = ZipFile.OpenRead(Path.Combine(packages.Feed, $"Sluice.{packages.Version}.nupkg"));
        var runtimeEntries = runtime.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("lib/net8.0/Sluice.dll", runtimeEntries);
        Assert.Contains("lib/net10.0/Sluice.dll", runtimeEntries);
        Assert.Contains(
            ReadNuspec(runtime, "Sluice.nuspec").Descendants().Where(e => e.Name.LocalName == "dependency"),
            dependency => (string?)dependency.Attribute("id") == "Polly.Core");
    }

    [Fact]
    public async Task A_consumer_build_reports_the_rules_fails_as_errors_and_is_fixed_by_dotnet_format()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var project = CreateConsumer();
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(project, ".packages") };
        var expected = new[]
        {
            (File: "Import.cs", Id: "SLU201", Position: PositionOf(ImportSource, "catch (System.Exception)"), Message: "'catch (System.Exception)' swallows the exception"),
            (File: "Client.cs", Id: "SLU301", Position: PositionOf(ClientSource, "Timeout = "), Message: "HttpClient.Timeout is infinite (Timeout.InfiniteTimeSpan)"),
            (File: "Client.cs", Id: "SLU302", Position: PositionOf(ClientSource, "gate.Wait()"), Message: "SemaphoreSlim.Wait() blocks with no timeout"),
            (File: "Records.cs", Id: "SLU202", Position: PositionOf(RecordsSource, "catch (System.FormatException ex)"), Message: "'catch (System.FormatException ex)' logs the failure and moves on to the next record, so 'line' is lost"),
        };

        var build = await DotNetCli.RunAsync(project, environment, "build", "-nodeReuse:false");
        Assert.True(build.ExitCode == 0, build.ToString());
        foreach (var (file, id, position, message) in expected)
        {
            Assert.Contains($"{file}{position}: warning {id}: {message}", build.Output, StringComparison.Ordinal);
        }

        var strict = await DotNetCli.RunAsync(project, environment, "build", "--no-incremental", "-warnaserror", "-nodeReuse:false");
        Assert.True(strict.ExitCode != 0, "A warnings-as-errors build must fail on Sluice's findings.\n" + strict);
        foreach (var (file, id, position, _) in expected)
        {
            Assert.Contains($"{file}{position}: error {id}", strict.Output, StringComparison.Ordinal);
        }

        var format = await DotNetCli.RunAsync(
            project, environment, "format", "analyzers", "Consumer.csproj", "--diagnostics", "SLU201", "SLU202", "SLU301", "SLU302", "--severity", "warn");
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

    /// <summary>The MSBuild "(line,column)" of the first occurrence of <paramref name="text"/>.</summary>
    private static string PositionOf(string source, string text)
    {
        var lines = source.Split('\n');
        var line = Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));
        Assert.True(line >= 0, $"'{text}' is not in the consumer source.");
        return $"({line + 1},{lines[line].IndexOf(text, StringComparison.Ordinal) + 1})";
    }

    private string CreateConsumer()
    {
        var project = Path.Combine(packages.Root, "consumer-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(project);

        // Stop MSBuild and NuGet from picking up anything above the temp folder.
        File.WriteAllText(Path.Combine(project, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(project, "Directory.Packages.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="sluice-e2e" value="{packages.Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Sluice.Analyzers" Version="{packages.Version}" PrivateAssets="all" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Import.cs"), ImportSource);
        File.WriteAllText(Path.Combine(project, "Client.cs"), ClientSource);
        File.WriteAllText(Path.Combine(project, "Records.cs"), RecordsSource);
        return project;
    }

    private static XDocument ReadNuspec(ZipArchive package, string name)
    {
        using var stream = package.GetEntry(name)!.Open();
        return XDocument.Load(stream);
    }
}
