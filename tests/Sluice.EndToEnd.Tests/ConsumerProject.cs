namespace Sluice.EndToEnd.Tests;

/// <summary>Fresh consumer projects for the end-to-end tests outside <see cref="ConsumerTests"/>.</summary>
public static class ConsumerProject
{
    /// <summary>An import whose loop swallows each bad line (SLU201 at <c>catch (System.Exception)</c>): the finding most end-to-end tests look for.</summary>
    public const string ImportSource = """
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

    /// <summary>An HttpClient with an infinite timeout (SLU301 at <c>Timeout = </c>).</summary>
    public const string TimeoutClientSource = """
        using System.Net.Http;
        using System.Threading;

        namespace Consumer;

        public static class Client
        {
            public static HttpClient Create() => new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        }
        """;

    /// <summary>
    /// A folder with Consumer.csproj and its sources, cut off from the repository's MSBuild and NuGet settings, restoring
    /// from the test feed and the machine's global packages folder only. <paramref name="nugetConfig"/> replaces that
    /// nuget.config when given.
    /// </summary>
    public static string Create(PackedPackages packages, string projectFile, IEnumerable<(string Name, string Text)> sources, string? nugetConfig = null)
    {
        var project = Path.Combine(packages.Root, "consumer-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(project, "Directory.Packages.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(project, "nuget.config"), nugetConfig ?? $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="sluice-e2e" value="{packages.Feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{PackedPackages.GlobalPackagesFolder}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(project, "Consumer.csproj"), projectFile);
        foreach (var (name, text) in sources)
        {
            File.WriteAllText(Path.Combine(project, name), text);
        }

        return project;
    }

    /// <summary>A consumer project file that references the analyzers (and the runtime when asked).</summary>
    public static string AnalyzersOnly(PackedPackages packages, string extraProperties = "") => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            {extraProperties}
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Sluice.Analyzers" Version="{packages.Version}" PrivateAssets="all" />
          </ItemGroup>
        </Project>
        """;

    /// <summary>The 1-based (line, column) of the first occurrence of <paramref name="text"/> in <paramref name="source"/>.</summary>
    public static (int Line, int Column) PositionOf(string source, string text)
    {
        var lines = source.Split('\n');
        var line = Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));
        Assert.True(line >= 0, $"'{text}' is not in the source.");
        return (line + 1, lines[line].IndexOf(text, StringComparison.Ordinal) + 1);
    }
}
