using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Sluice.EndToEnd.Tests;

/// <summary>
/// The README's Install section as a new user follows it: its pack command (the one the fixture runs), its
/// nuget.config word for word, its references with the version the pack made, in a fresh project whose build shows
/// the warnings. And the version a local pack gets.
/// </summary>
public sealed partial class InstallTests(PackedPackages packages) : IClassFixture<PackedPackages>
{

    private static readonly string VersionPrefix = XDocument.Load(Path.Combine(PackedPackages.RepositoryRoot, "Directory.Build.props"))
        .Descendants("VersionPrefix").Single().Value;

    [Fact]
    public async Task A_fresh_project_that_follows_the_README_install_section_restores_and_shows_the_warnings()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var blocks = CodeBlocks(InstallSection());
        Assert.Equal(["sh", "xml", "xml"], blocks.Select(b => b.Language));

        // 1. The pack command: the one the fixture ran (with its own feed, version and build folder).
        var pack = Assert.Single(blocks[0].Lines);
        var feedFolder = "~/sluice-packages";
        Assert.Equal(string.Join(' ', ["dotnet", .. PackedPackages.ReadmePackArguments, "-o", feedFolder]), pack);

        // The user's home, with the packed folder where the command puts it and a machine NuGet configuration that
        // stands for the user's own feeds: the machine's packages folder, for the runtime's dependencies.
        var home = Path.Combine(packages.Root, "home-" + Guid.NewGuid().ToString("N")[..8]);
        var feed = Path.Combine(home, "sluice-packages");
        Directory.CreateDirectory(feed);
        foreach (var package in Directory.GetFiles(packages.Feed, "*.nupkg"))
        {
            File.Copy(package, Path.Combine(feed, Path.GetFileName(package)));
        }

        Directory.CreateDirectory(Path.Combine(home, ".nuget", "NuGet"));
        await File.WriteAllTextAsync(Path.Combine(home, ".nuget", "NuGet", "NuGet.Config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <fallbackPackageFolders>
                <add key="machine" value="{PackedPackages.GlobalPackagesFolder}" />
              </fallbackPackageFolders>
            </configuration>
            """);

        // 2. nuget.config, as written.
        var nugetConfig = string.Join('\n', blocks[1].Lines);

        // 3. The references, with the version this run packed instead of the README's example.
        var references = string.Join('\n', blocks[2].Lines);
        var readmeVersions = ReferenceVersion().Matches(references).Select(m => m.Groups[1].Value).Distinct().ToList();
        var readmeVersion = Assert.Single(readmeVersions);
        Assert.Matches($"^{Regex.Escape(VersionPrefix)}-dev\\.[0-9]+$", readmeVersion);
        Assert.Contains("""Include="Sluice.Analyzers" """, references, StringComparison.Ordinal);
        Assert.Contains("""Include="Sluice" """, references, StringComparison.Ordinal);
        var project = ConsumerProject.Create(
            packages,
            $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
              </PropertyGroup>
            {references.Replace(readmeVersion, packages.Version, StringComparison.Ordinal)}
            </Project>
            """,
            [("Import.cs", ConsumerProject.ImportSource)],
            nugetConfig);
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["NUGET_PACKAGES"] = Path.Combine(project, ".packages"),
        };

        var build = await DotNetCli.RunAsync(project, environment, "build", "-nodeReuse:false");
        Assert.True(build.ExitCode == 0, build.ToString());
        var (line, column) = ConsumerProject.PositionOf(ConsumerProject.ImportSource, "catch (System.Exception)");
        Assert.Contains($"Import.cs({line},{column}): warning SLU201: 'catch (System.Exception)' swallows the exception", build.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(project, ".packages", "sluice.analyzers", packages.Version.ToLowerInvariant(), "sluice.analyzers.nuspec")), "Sluice.Analyzers came from the README's feed.\n" + build);
        Assert.True(File.Exists(Path.Combine(project, ".packages", "sluice", packages.Version.ToLowerInvariant(), "sluice.nuspec")), "Sluice came from the README's feed.\n" + build);
    }

    [Fact]
    public async Task A_local_pack_is_versioned_by_the_commits_and_an_explicit_version_wins()
    {
        var commits = await GitAsync("rev-list", "--count", "HEAD");
        var project = Path.Combine(PackedPackages.RepositoryRoot, "src", "Runtime", "Sluice.csproj");

        var local = await DotNetCli.RunAsync(PackedPackages.RepositoryRoot, environment: null, "msbuild", project, "-t:SluiceLocalPackageVersion", "-getProperty:PackageVersion", "-nodeReuse:false");
        Assert.True(local.ExitCode == 0, local.ToString());
        Assert.Matches($"^{Regex.Escape(VersionPrefix)}-dev\\.{commits}(\\.g[0-9a-f]{{10}})?$", local.Output.Trim());

        var given = await DotNetCli.RunAsync(PackedPackages.RepositoryRoot, environment: null, "msbuild", project, "-t:SluiceLocalPackageVersion", "-getProperty:PackageVersion", "-p:Version=1.2.3", "-nodeReuse:false");
        Assert.True(given.ExitCode == 0, given.ToString());
        Assert.Equal("1.2.3", given.Output.Trim());
    }

    [Fact]
    public void No_document_or_project_asks_for_a_floating_version()
    {
        var files = Directory.EnumerateFiles(PackedPackages.RepositoryRoot, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".md", StringComparison.Ordinal) || f.EndsWith("proj", StringComparison.Ordinal) || f.EndsWith(".props", StringComparison.Ordinal))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or ".git"));
        var floating = files.Where(f => FloatingVersion().IsMatch(File.ReadAllText(f))).ToList();
        Assert.Empty(floating);
    }

    /// <summary>The README's Install section, up to the next heading of its level.</summary>
    private static string InstallSection()
    {
        var readme = File.ReadAllText(Path.Combine(PackedPackages.RepositoryRoot, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = readme.IndexOf("\n## Install\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "The README has no Install section.");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return readme[start..(end < 0 ? readme.Length : end)];
    }

    /// <summary>The fenced code blocks of a Markdown text, their indentation removed.</summary>
    private static List<(string Language, List<string> Lines)> CodeBlocks(string markdown)
    {
        var blocks = new List<(string, List<string>)>();
        List<string>? current = null;
        var indent = 0;
        foreach (var line in markdown.Split('\n'))
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                if (current is null)
                {
                    current = [];
                    indent = line.Length - trimmed.Length;
                    blocks.Add((trimmed[3..].Trim(), current));
                }
                else
                {
                    current = null;
                }
            }
            else
            {
                current?.Add(line.Length >= indent ? line[indent..] : line.TrimStart());
            }
        }

        return blocks;
    }

    private static async Task<string> GitAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = PackedPackages.RepositoryRoot, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start)!;
        var output = await git.StandardOutput.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', arguments)} exited {git.ExitCode}");
        return output.Trim();
    }

    [GeneratedRegex("""PackageReference Include="Sluice(?:\.Analyzers)?" Version="([^"]+)" """)]
    private static partial Regex ReferenceVersion();

    [GeneratedRegex("Version=\"[^\"]*\\*[^\"]*\"")]
    private static partial Regex FloatingVersion();
}
