using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Sluice.Analyzers.Tests.Catalog;

/// <summary>
/// Keeps the rules' default severities and the SluiceAnalysisMode rule sets in step with the precision measured on real
/// code (bench/precision/measured.tsv, written by bench/precision/run.sh --record): a rule is a warning by default, and
/// in Recommended, only when at least 9 of 10 of its findings on the corpus are worth one.
/// </summary>
public class AnalysisModeTests
{
    private const double Bar = 0.90;

    private static readonly string ConfigFolder = Path.Combine(RuleCatalog.RepositoryRoot, "src", "CodeFixes", "buildTransitive", "config");

    private static readonly string[] ModeNames = ["Default", "Recommended", "All", "None"];

    public static TheoryData<string> Modes => new(ModeNames);

    [Fact]
    public void A_rule_is_a_warning_by_default_only_when_it_passed_the_precision_bar()
        => Assert.All(RuleCatalog.Descriptors.Where(d => d.DefaultSeverity == DiagnosticSeverity.Warning), descriptor =>
            Assert.True(PassesBar(descriptor.Id), $"{descriptor.Id} is a warning by default but its precision on real code is {PrecisionText(descriptor.Id)}."));

    [Theory]
    [MemberData(nameof(Modes))]
    public void Each_analysis_mode_globalconfig_sets_exactly_its_rules(string mode)
    {
        var path = Path.Combine(ConfigFolder, $"sluice_{mode.ToLowerInvariant()}.globalconfig");
        Assert.True(File.Exists(path), $"{path} is missing.");

        // On failure, the expected text is the file's content.
        Assert.Equal(ExpectedConfig(mode), File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void The_package_targets_offer_exactly_the_four_modes()
    {
        var configs = Directory.GetFiles(ConfigFolder, "*.globalconfig").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(ModeNames.Select(m => $"sluice_{m.ToLowerInvariant()}.globalconfig").Order(StringComparer.Ordinal), configs);
    }

    /// <summary>The README rule table's precision column: "0.93 (41 findings)", or "not measured (no findings)".</summary>
    internal static string PrecisionText(string id)
        => Measured.Value.TryGetValue(id, out var row) && row.Precision is { } precision
            ? $"{precision.ToString("0.00", CultureInfo.InvariantCulture)} ({row.Findings} {(row.Findings == 1 ? "finding" : "findings")})"
            : "not measured (no findings)";

    /// <summary>A rule the corpus gave no findings to has not passed the bar: nothing was measured.</summary>
    private static bool PassesBar(string id) => Measured.Value.TryGetValue(id, out var row) && row.Precision >= Bar;

    private static string ExpectedConfig(string mode)
    {
        var text = new StringBuilder()
            .Append("# Sluice analysis mode '").Append(mode).Append("' (SluiceAnalysisMode, see the README). Checked by AnalysisModeTests.\n")
            .Append("is_global = true\n")
            .Append("global_level = -99\n");
        foreach (var descriptor in RuleCatalog.Descriptors)
        {
            var severity = mode switch
            {
                "All" => "warning",
                "None" => "none",
                "Recommended" when !PassesBar(descriptor.Id) => "none",
                _ => null,
            };
            if (severity is not null)
            {
                text.Append('\n')
                    .Append($"# {descriptor.Id} {descriptor.Title}: precision on real code {PrecisionText(descriptor.Id)}\n")
                    .Append($"dotnet_diagnostic.{descriptor.Id}.severity = {severity}\n");
            }
        }

        return text.ToString();
    }

    private static readonly Lazy<IReadOnlyDictionary<string, (int Findings, double? Precision)>> Measured = new(() =>
        File.ReadAllLines(Path.Combine(RuleCatalog.RepositoryRoot, "bench", "precision", "measured.tsv"))
            .Skip(1)
            .Select(line => line.Split('\t'))
            .ToDictionary(
                columns => columns[0],
                columns => (
                    int.Parse(columns[1], CultureInfo.InvariantCulture),
                    double.TryParse(columns[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p : (double?)null)));
}
