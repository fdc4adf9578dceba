using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Sluice.Analyzers.Tests.Catalog;

/// <summary>Keeps the README table, the docs pages, the help links and the release file in step with the descriptors.</summary>
public class RuleCatalogTests
{
    public static TheoryData<string> RuleIds => new(RuleCatalog.Descriptors.Select(d => d.Id));

    [Fact]
    public void The_catalog_is_not_empty()
        => Assert.NotEmpty(RuleCatalog.Descriptors);

    [Fact]
    public void The_README_rule_table_matches_the_descriptors()
    {
        var readme = File.ReadAllText(Path.Combine(RuleCatalog.RepositoryRoot, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        const string Start = "<!-- rules:start -->\n";
        const string End = "<!-- rules:end -->";
        var from = readme.IndexOf(Start, StringComparison.Ordinal);
        var to = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, "README.md must keep the rule table between <!-- rules:start --> and <!-- rules:end -->.");

        var expected = new StringBuilder()
            .Append("| ID | Category | Title | Default severity | Precision on real code | Code fix | Configurable |\n")
            .Append("|---|---|---|---|---|---|---|\n");
        foreach (var descriptor in RuleCatalog.Descriptors)
        {
            expected.Append($"| [{descriptor.Id}](docs/rules/{descriptor.Id}.md) | {descriptor.Category} | {descriptor.Title} | {descriptor.DefaultSeverity} | ")
                .Append(AnalysisModeTests.PrecisionText(descriptor.Id)).Append(" | ")
                .Append(RuleCatalog.HasCodeFix(descriptor.Id) ? "Yes" : "No").Append(" | ")
                .Append(RuleCatalog.IsConfigurable(descriptor.Id) ? "Yes" : "No").Append(" |\n");
        }

        // On failure, the expected text is the table to paste into README.md.
        Assert.Equal(expected.ToString(), readme[(from + Start.Length)..to]);
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Each_rule_links_to_its_docs_page_under_the_repository_url(string id)
    {
        var descriptor = RuleCatalog.Descriptors.Single(d => d.Id == id);
        Assert.Equal($"{RuleCatalog.RepositoryUrl}/blob/main/docs/rules/{id}.md", descriptor.HelpLinkUri);
        Assert.True(File.Exists(Path.Combine(RuleCatalog.RepositoryRoot, "docs", "rules", id + ".md")), $"docs/rules/{id}.md is missing.");
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Each_docs_page_states_the_title_category_severity_fix_and_options_of_its_descriptor(string id)
    {
        var descriptor = RuleCatalog.Descriptors.Single(d => d.Id == id);
        var page = File.ReadAllText(Path.Combine(RuleCatalog.RepositoryRoot, "docs", "rules", id + ".md"));

        Assert.StartsWith($"# {id}: {descriptor.Title}\n", page.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains($"| Category | {descriptor.Category} |", page, StringComparison.Ordinal);
        Assert.Contains($"| Default severity | {descriptor.DefaultSeverity} |", page, StringComparison.Ordinal);
        Assert.Contains(RuleCatalog.HasCodeFix(id) ? "| Code fix | Yes" : "| Code fix | No", page, StringComparison.Ordinal);
        foreach (var option in RuleCatalog.Options.Where(o => o.RuleId == id))
        {
            Assert.Contains($"| `{option.Key}` | `{option.DefaultText}` |", page.Replace("| empty |", "| `` |", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Each_rule_is_in_the_release_tracking_file(string id)
    {
        var descriptor = RuleCatalog.Descriptors.Single(d => d.Id == id);
        var releases = File.ReadAllText(Path.Combine(RuleCatalog.RepositoryRoot, "src", "Analyzers", "AnalyzerReleases.Unshipped.md"))
            + File.ReadAllText(Path.Combine(RuleCatalog.RepositoryRoot, "src", "Analyzers", "AnalyzerReleases.Shipped.md"));
        Assert.Contains($"{id} | {descriptor.Category} | {descriptor.DefaultSeverity} |", releases, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_option_belongs_to_a_rule_and_is_named_sluice_id_name()
    {
        Assert.All(RuleCatalog.Options, option =>
        {
            Assert.Contains(RuleCatalog.Descriptors, d => d.Id == option.RuleId);
            Assert.Matches($"^sluice\\.{option.RuleId}\\.[a-z_]+$", option.Key);
        });
    }

    [Fact]
    public void Every_code_fix_fixes_a_known_rule_and_supports_Fix_All()
    {
        Assert.NotEmpty(RuleCatalog.CodeFixes);
        Assert.All(RuleCatalog.CodeFixes, fix =>
        {
            Assert.All(fix.FixableDiagnosticIds, id => Assert.Contains(RuleCatalog.Descriptors, d => d.Id == id));
            Assert.NotNull(fix.GetFixAllProvider());
            Assert.NotNull(fix.GetType().GetCustomAttributes(typeof(ExportCodeFixProviderAttribute), inherit: false).SingleOrDefault());
        });
    }

    [Fact]
    public void Every_analyzer_is_exported_for_CSharp_and_every_rule_is_enabled_by_default()
    {
        Assert.All(RuleCatalog.Analyzers, analyzer =>
        {
            var attribute = (DiagnosticAnalyzerAttribute?)analyzer.GetType().GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), inherit: false).SingleOrDefault();
            Assert.NotNull(attribute);
            Assert.Contains(LanguageNames.CSharp, attribute.Languages);
        });
        Assert.All(RuleCatalog.Descriptors, descriptor =>
        {
            Assert.True(descriptor.IsEnabledByDefault);
            Assert.Matches("^SLU[1-5][0-9]{2}$", descriptor.Id);
        });
    }
}
