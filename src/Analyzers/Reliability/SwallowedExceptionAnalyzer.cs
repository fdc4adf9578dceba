using System;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Reliability;

/// <summary>
/// SLU201: finds catch clauses that make a failure disappear — a catch-all, <c>Exception</c> or
/// <c>SystemException</c> catch (or any catch with an empty block) that neither rethrows, throws,
/// logs the exception object, nor hands the exception to any other code.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SwallowedExceptionAnalyzer : DiagnosticAnalyzer
{
    internal static readonly BoolOption AllowJustificationComment = new(
        RuleIds.SwallowedException,
        "allow_justification_comment",
        defaultValue: false,
        "When true, a catch whose block contains a comment (starting with justification_prefix, if set) is exempt.");

    internal static readonly StringOption JustificationPrefix = new(
        RuleIds.SwallowedException,
        "justification_prefix",
        defaultValue: "",
        "The text a justification comment must start with (after // or /*), e.g. 'justified:'. Empty: any comment.");

    internal static readonly StringOption AllowedMethods = new(
        RuleIds.SwallowedException,
        "allowed_methods",
        defaultValue: "",
        "Comma-separated methods whose catches are exempt, e.g. Try-pattern methods that report failure by returning false: 'TryParseOrder, OrderParser.TryRead, TryLoad*'.");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.SwallowedException,
        title: "Exception swallowed",
        messageFormat: "'{0}' swallows the exception: {1}",
        RuleCategories.Reliability,
        DiagnosticSeverity.Warning,
        description: "A catch that neither rethrows, throws, logs the exception object nor passes it on makes the failure "
            + "disappear: the record it was processing is lost and nothing alerts anyone. Rethrow, log the exception "
            + "object and rethrow, or dead-letter the record with the exception.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var types = KnownTypes.Of(start.Compilation);
            if (types.Exception is null)
            {
                return;
            }

            start.RegisterOperationAction(operationContext => AnalyzeCatch(operationContext, types), OperationKind.CatchClause);
        });
    }

    private static void AnalyzeCatch(OperationAnalysisContext context, KnownTypes types)
    {
        var catchClause = (ICatchClauseOperation)context.Operation;
        if (CatchFate.Of(catchClause, types) is not { } fate
            || fate.Swallow == SwallowKind.None
            || IsJustified(fate.Syntax, context)
            || IsAllowedMethod(context)
            || RetriesWithoutLosingTheFailure(catchClause, types))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Rule, ReportLocations.Catch(fate.Syntax), Describe(fate.Syntax), Message(fate.Swallow)));
    }

    /// <summary>
    /// A retrying catch of a hand-rolled retry loop that gives up by (re)throwing, or never gives up: the failure is
    /// retried, not lost, and SLU402/SLU403/SLU405 report the loop. A loop that falls out after its last attempt does
    /// lose the failure, so its catch stays SLU201's.
    /// </summary>
    private static bool RetriesWithoutLosingTheFailure(ICatchClauseOperation catchClause, KnownTypes types)
        => catchClause.Parent is ITryOperation { Parent: IBlockOperation { Parent: ILoopOperation loop } }
            && RetryLoops.TryMatch(loop, types, out var shape)
            && shape!.RetryingCatches.Contains(catchClause)
            && (shape.IsUnbounded || shape.Exhaustion is RetryExhaustion.Rethrow or RetryExhaustion.Throw);

    /// <summary>The second half of the message: why the failure disappears.</summary>
    private static string Message(SwallowKind reason) => reason switch
    {
        SwallowKind.Empty => "the block is empty, so the failure disappears without a trace",
        SwallowKind.MessageOnly => "only its message is read, so the type and stack trace are lost and nothing rethrows, logs or passes on the exception",
        SwallowKind.CancellationWithoutToken => "no CancellationToken is passed in the try block, so this hides timeouts (such as HttpClient.Timeout), not a requested cancellation",
        _ => "it is not rethrown, logged with the exception object, or passed on, so the failure disappears without a trace",
    };

    private static bool IsAllowedMethod(OperationAnalysisContext context)
    {
        var allowed = AllowedMethods.Read(context.Options, context.Operation.Syntax.SyntaxTree);
        if (allowed.Length == 0)
        {
            return false;
        }

        var member = context.ContainingSymbol;
        var names = new[] { member.Name, $"{member.ContainingType?.Name}.{member.Name}" };
        return allowed.Split(',')
            .Select(entry => entry.Trim())
            .Where(entry => entry.Length > 0)
            .Any(entry => entry.EndsWith("*", StringComparison.Ordinal)
                ? names.Any(name => name.StartsWith(entry.Substring(0, entry.Length - 1), StringComparison.Ordinal))
                : names.Contains(entry, StringComparer.Ordinal));
    }

    private static string Describe(CatchClauseSyntax syntax)
        => syntax.Declaration is null ? "catch" : "catch " + Regex.Replace(syntax.Declaration.ToString(), @"\s+", " ");

    private static bool IsJustified(CatchClauseSyntax syntax, OperationAnalysisContext context)
    {
        var tree = syntax.SyntaxTree;
        if (!AllowJustificationComment.Read(context.Options, tree))
        {
            return false;
        }

        var prefix = JustificationPrefix.Read(context.Options, tree);
        return syntax.Block.DescendantTrivia(descendIntoTrivia: false)
            .Where(trivia => trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineCommentTrivia))
            .Select(CommentText)
            .Any(text => text.Length > 0 && (prefix.Length == 0 || text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)));
    }

    private static string CommentText(SyntaxTrivia trivia)
    {
        var text = trivia.ToString();
        text = trivia.IsKind(SyntaxKind.SingleLineCommentTrivia)
            ? text.Substring(2)
            : text.Substring(2, text.Length - 4);
        return text.Trim();
    }
}
