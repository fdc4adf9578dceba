using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Sluice.Analyzers.Baseline;

/// <summary>
/// Adopting Sluice on an existing codebase: the findings listed in a baseline are suppressed, so a warnings-as-errors
/// build fails only on new ones. The baseline is a build log (the package's <c>SluiceBaseline</c> property names it;
/// <c>dotnet build -flp:"logfile=...;warningsonly"</c> writes one), and each of its Sluice lines,
/// <c>path(line,col): warning SLU201: message [project]</c>, accepts one finding of that rule in a file of that name
/// with that message. Positions and folders are not compared, so a finding that moves (lines added above it, a
/// checkout in another folder) stays accepted; the message names what the finding is about (the catch, the variable,
/// the call), so another finding of the rule in the same file is new. Deleting a rule's lines brings its findings back.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BaselineSuppressor : DiagnosticSuppressor
{
    /// <summary>The AdditionalFiles metadata the package's targets set on the baseline.</summary>
    internal const string BaselineMetadata = "build_metadata.AdditionalFiles.SluiceBaseline";

    private static readonly Regex LogLine = new(
        @"^\s*(?<path>.+?)\(\d+,\d+(?:,\d+,\d+)?\)\s*:\s*(?:warning|error)\s+(?<id>SLU\d{3})\s*:\s*(?<message>.*)$",
        RegexOptions.CultureInvariant);

    private static readonly Regex ProjectSuffix = new(@"\s+\[[^\[\]]*\]$", RegexOptions.CultureInvariant);

    private static readonly Regex HelpLinkSuffix = new(@"\s+\(https?://[^\s()]*\)$", RegexOptions.CultureInvariant);

    private static readonly ImmutableDictionary<string, SuppressionDescriptor> Descriptors = typeof(RuleIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral && field.FieldType == typeof(string))
        .Select(field => (string)field.GetRawConstantValue()!)
        .ToImmutableDictionary(
            id => id,
            id => new SuppressionDescriptor("SLUB" + id.Substring(3), id, "The finding is in the Sluice baseline (SluiceBaseline), which accepts the findings the codebase had when it adopted Sluice."));

    /// <inheritdoc />
    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } = Descriptors.Values.OrderBy(d => d.Id, StringComparer.Ordinal).ToImmutableArray();

    /// <inheritdoc />
    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        var accepted = ReadBaselines(context);
        if (accepted.Count == 0)
        {
            return;
        }

        var ordered = context.ReportedDiagnostics
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start);
        foreach (var diagnostic in ordered)
        {
            if (!Descriptors.TryGetValue(diagnostic.Id, out var descriptor))
            {
                continue;
            }

            var key = (diagnostic.Id, FileName(diagnostic.Location.SourceTree?.FilePath), diagnostic.GetMessage(CultureInfo.InvariantCulture));
            if (accepted.TryGetValue(key, out var left) && left > 0)
            {
                accepted[key] = left - 1;
                context.ReportSuppression(Suppression.Create(descriptor, diagnostic));
            }
        }
    }

    /// <summary>How many findings each baseline accepts, per rule, file name and message.</summary>
    private static Dictionary<(string Id, string File, string Message), int> ReadBaselines(SuppressionAnalysisContext context)
    {
        var accepted = new Dictionary<(string Id, string File, string Message), int>();
        foreach (var file in context.Options.AdditionalFiles)
        {
            if (!context.Options.AnalyzerConfigOptionsProvider.GetOptions(file).TryGetValue(BaselineMetadata, out var marked)
                || !string.Equals(marked, "true", StringComparison.OrdinalIgnoreCase)
                || file.GetText(context.CancellationToken) is not { } text)
            {
                continue;
            }

            // A log lists a finding once per build of the project (one per target framework): each distinct line counts once.
            foreach (var line in text.Lines.Select(l => l.ToString()).Distinct(StringComparer.Ordinal))
            {
                if (Parse(line) is { } finding)
                {
                    accepted[finding] = accepted.TryGetValue(finding, out var count) ? count + 1 : 1;
                }
            }
        }

        return accepted;
    }

    private static (string Id, string File, string Message)? Parse(string line)
    {
        var match = LogLine.Match(line);
        if (!match.Success)
        {
            return null;
        }

        var message = ProjectSuffix.Replace(match.Groups["message"].Value.TrimEnd(), string.Empty);
        message = HelpLinkSuffix.Replace(message, string.Empty);
        return (match.Groups["id"].Value, FileName(match.Groups["path"].Value.Trim()), message);
    }

    /// <summary>The file name of a path written on any operating system.</summary>
    private static string FileName(string? path)
    {
        if (path is null)
        {
            return string.Empty;
        }

        var slash = path.LastIndexOfAny(['/', '\\']);
        return slash < 0 ? path : path.Substring(slash + 1);
    }
}
