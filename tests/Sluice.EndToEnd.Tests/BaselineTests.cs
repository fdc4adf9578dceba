namespace Sluice.EndToEnd.Tests;

/// <summary>
/// Adopting Sluice on a codebase that already has findings, as the README's "Adopting on an existing codebase" says:
/// a baseline written by one build accepts them, a warnings-as-errors build passes, a new finding fails it, and
/// deleting a rule's lines from the baseline brings that rule's findings back.
/// </summary>
public sealed class BaselineTests(PackedPackages packages) : IClassFixture<PackedPackages>
{
    /// <summary>The README's command that writes the baseline.</summary>
    private const string BaselineCommand = """dotnet build --no-incremental -p:SluiceBaseline= -p:TreatWarningsAsErrors=false "-flp:logfile=sluice.baseline;warningsonly" """;

    /// <summary>The README's Directory.Build.props line that makes every project read it.</summary>
    private const string BaselineProperty = "<SluiceBaseline>$(MSBuildThisFileDirectory)sluice.baseline</SluiceBaseline>";

    // The same rule in a new method of the same file: a new finding, with its own message.
    private const string NewFinding = """

        public static class Export
        {
            public static int Run(string[] rows)
            {
                var exported = 0;
                foreach (var row in rows)
                {
                    try
                    {
                        exported += int.Parse(row, System.Globalization.CultureInfo.InvariantCulture);
                    }
                    catch (System.Exception)
                    {
                        continue;
                    }
                }

                return exported;
            }
        }
        """;

    [Fact]
    public async Task A_baseline_accepts_the_existing_findings_fails_on_new_ones_and_burns_down_rule_by_rule()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var readme = await File.ReadAllTextAsync(Path.Combine(PackedPackages.RepositoryRoot, "README.md"));
        Assert.Contains(BaselineCommand.Trim(), readme, StringComparison.Ordinal);
        Assert.Contains(BaselineProperty, readme, StringComparison.Ordinal);

        var project = ConsumerProject.Create(packages, ConsumerProject.AnalyzersOnly(packages), [("Import.cs", ConsumerProject.ImportSource), ("Client.cs", ConsumerProject.TimeoutClientSource)]);
        await File.WriteAllTextAsync(Path.Combine(project, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                {BaselineProperty}
              </PropertyGroup>
            </Project>
            """);
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(project, ".packages") };
        var baseline = Path.Combine(project, "sluice.baseline");

        // Before the baseline, the existing findings fail a warnings-as-errors build.
        var before = await DotNetCli.RunAsync(project, environment, "build", "-warnaserror", "-nodeReuse:false");
        Assert.True(before.ExitCode != 0, before.ToString());
        Assert.Contains("error SLU201", before.Output, StringComparison.Ordinal);

        var write = await DotNetCli.RunAsync(project, environment, [.. Arguments(BaselineCommand), "-nodeReuse:false"]);
        Assert.True(write.ExitCode == 0, write.ToString());
        var lines = await File.ReadAllLinesAsync(baseline);
        Assert.Contains(lines, l => l.Contains("Import.cs(", StringComparison.Ordinal) && l.Contains(": warning SLU201: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Client.cs(", StringComparison.Ordinal) && l.Contains(": warning SLU301: ", StringComparison.Ordinal));

        // The same findings, moved down by new lines above them, are accepted.
        await File.WriteAllTextAsync(Path.Combine(project, "Import.cs"), "// Imports the nightly file.\n// Owner: the data team.\n" + ConsumerProject.ImportSource);
        var accepted = await DotNetCli.RunAsync(project, environment, "build", "-warnaserror", "-nodeReuse:false");
        Assert.True(accepted.ExitCode == 0, "The baselined findings must not fail the build.\n" + accepted);
        Assert.DoesNotContain(" SLU", accepted.Output, StringComparison.Ordinal);

        // A new finding of a baselined rule in a baselined file fails it, and only it is reported.
        await File.WriteAllTextAsync(Path.Combine(project, "Import.cs"), ConsumerProject.ImportSource + NewFinding);
        var added = await DotNetCli.RunAsync(project, environment, "build", "-warnaserror", "-nodeReuse:false");
        Assert.True(added.ExitCode != 0, "A new finding must fail the build.\n" + added);
        var reported = added.Output.Split('\n').Where(l => l.Contains(": error SLU", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(reported);
        Assert.All(reported, l => Assert.Contains("Import.cs(", l, StringComparison.Ordinal));
        Assert.All(reported, l => Assert.Contains("error SLU201: 'catch (System.Exception)' swallows the exception: the loop over 'rows'", l, StringComparison.Ordinal));

        // Burning down SLU301: its lines leave the baseline, and its finding is back.
        await File.WriteAllTextAsync(Path.Combine(project, "Import.cs"), ConsumerProject.ImportSource);
        await File.WriteAllLinesAsync(baseline, lines.Where(l => !l.Contains(" SLU301: ", StringComparison.Ordinal)));
        var burnt = await DotNetCli.RunAsync(project, environment, "build", "-warnaserror", "-nodeReuse:false");
        Assert.True(burnt.ExitCode != 0, burnt.ToString());
        Assert.Contains("Client.cs(", burnt.Output, StringComparison.Ordinal);
        Assert.Contains("error SLU301", burnt.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("error SLU201", burnt.Output, StringComparison.Ordinal);
    }

    /// <summary>The arguments of a README command line after <c>dotnet</c>, quotes removed.</summary>
    private static string[] Arguments(string command)
    {
        var arguments = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in command.Trim())
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ' ' && !quoted)
            {
                arguments.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        arguments.Add(current.ToString());
        Assert.Equal("dotnet", arguments[0]);
        return [.. arguments.Skip(1)];
    }
}
