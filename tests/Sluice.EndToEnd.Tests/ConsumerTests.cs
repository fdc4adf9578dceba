using System.IO.Compression;
using System.Xml.Linq;

namespace Sluice.EndToEnd.Tests;

/// <summary>
/// The packages as a consumer meets them: installed from a feed into a fresh project, reporting in
/// <c>dotnet build</c>, failing a warnings-as-errors build, and fixed by <c>dotnet format analyzers</c>.
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
    public async Task A_consumer_build_reports_SLU201_fails_as_an_error_and_is_fixed_by_dotnet_format()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var project = CreateConsumer();
        var source = Path.Combine(project, "Import.cs");
        var lines = ImportSource.Split('\n');
        var catchLine = Array.FindIndex(lines, l => l.Contains("catch (System.Exception)", StringComparison.Ordinal)) + 1;
        var catchColumn = lines[catchLine - 1].IndexOf("catch", StringComparison.Ordinal) + 1;
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(project, ".packages") };

        var build = await DotNetCli.RunAsync(project, environment, "build", "-nodeReuse:false");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains($"Import.cs({catchLine},{catchColumn}): warning SLU201: 'catch (System.Exception)' swallows the exception", build.Output, StringComparison.Ordinal);

        var strict = await DotNetCli.RunAsync(project, environment, "build", "--no-incremental", "-warnaserror", "-nodeReuse:false");
        Assert.True(strict.ExitCode != 0, "A warnings-as-errors build must fail on SLU201.\n" + strict);
        Assert.Contains($"Import.cs({catchLine},{catchColumn}): error SLU201", strict.Output, StringComparison.Ordinal);

        var format = await DotNetCli.RunAsync(project, environment, "format", "analyzers", "Consumer.csproj", "--diagnostics", "SLU201", "--severity", "warn");
        Assert.True(format.ExitCode == 0, format.ToString());
        var fixedSource = await File.ReadAllTextAsync(source);
        Assert.Contains("throw;", fixedSource, StringComparison.Ordinal);
        Assert.DoesNotContain("continue;", fixedSource, StringComparison.Ordinal);

        var rebuilt = await DotNetCli.RunAsync(project, environment, "build", "--no-incremental", "-warnaserror", "-nodeReuse:false");
        Assert.True(rebuilt.ExitCode == 0, "The fixed project must build cleanly with warnings as errors.\n" + rebuilt);
        Assert.DoesNotContain("SLU201", rebuilt.Output, StringComparison.Ordinal);
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
        return project;
    }

    private static XDocument ReadNuspec(ZipArchive package, string name)
    {
        using var stream = package.GetEntry(name)!.Open();
        return XDocument.Load(stream);
    }
}
