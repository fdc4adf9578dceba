using System;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Reliability;

/// <summary>
/// SLU201: finds catch clauses that make a failure disappear where data is at stake — a catch-all, <c>Exception</c> or
/// <c>SystemException</c> catch (or any catch with an empty block) that neither rethrows, throws, logs the exception
/// object, nor hands the exception to any other code, and that drops a record, abandons a batch, hands the caller a
/// made-up result for an I/O or service call, leaves an awaited task incomplete, goes on to delete after a failed
/// step, writes a default over the file it failed to read, or hides an I/O timeout (see <see cref="SwallowStakes"/>).
/// Deliberate catches stay silent: cleanup, Try-pattern methods, catches that handle the failure with code.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SwallowedExceptionAnalyzer : DiagnosticAnalyzer
{
    internal static readonly BoolOption AllowJustificationComment = new(
        RuleIds.SwallowedException,
        "allow_justification_comment",
        defaultValue: true,
        "When true (the default), a comment in the catch block (starting with justification_prefix, if set; not a TODO) exempts a catch that hides a failure from its caller. A catch that loses data — drops a record, abandons a batch, writes a default over a file, leaves a task incomplete — is reported whatever its comment says.");

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
            + "disappear: the record it was processing is lost, or the caller takes a made-up result for real data, and "
            + "nothing alerts anyone. Rethrow, log the exception object and rethrow, or dead-letter the record with the exception.");

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
            || fate.IsCleanup
            || fate.HandlesWithCode
            || fate.FailureBecomesFalse
            || IsAllowedMethod(context)
            || RetriesWithoutLosingTheFailure(catchClause, types)
            || SwallowStakes.Of(fate, types) is not { } stakes
            || (!stakes.LosesData && IsJustified(fate, context)))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Rule, ReportLocations.Catch(fate.Syntax), Describe(fate.Syntax), Message(fate.Swallow, stakes)));
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

    /// <summary>The second half of the message: what is lost, then why nothing tells anyone.</summary>
    private static string Message(SwallowKind reason, SwallowStakes stakes)
    {
        var why = reason switch
        {
            SwallowKind.Empty => "the block is empty",
            SwallowKind.MessageOnly => "only its message is read, so its type and stack trace are lost",
            _ => "the exception is not rethrown, logged or passed on",
        };
        return stakes.Kind switch
        {
            StakeKind.RecordDropped => $"the loop over {stakes.Detail} goes on to the next record, so {stakes.Subject ?? "the current record"} is lost and {why}",
            StakeKind.LoopLeft => $"it leaves the loop over {stakes.Detail}, so {stakes.Subject ?? "the current record"} and every record after it are skipped, and {why}",
            StakeKind.BatchAbandoned => $"the loop over {stakes.Subject} in the try stops at the first failure, so the remaining records are skipped and {why}",
            StakeKind.ResultReplaced => $"the caller gets {stakes.Subject} instead of the failure of '{stakes.Detail}', and {why}",
            StakeKind.TaskNeverCompleted => $"{stakes.Subject} is never completed when the try fails, so whoever awaits its Task waits forever, and {why}",
            StakeKind.FailureIgnoredBeforeDelete => $"the failure of '{stakes.Subject}' is ignored and the method goes on to '{stakes.Detail}' as if it had succeeded, and {why}",
            StakeKind.MarkedUnfinished => $"its own comment marks it unfinished, and {why}",
            StakeKind.DefaultsWrittenBack => $"when reading {stakes.Detail} fails, {stakes.Subject} gets a default that the method then writes back over {stakes.Detail}, and {why}",
            _ => $"no CancellationToken is used in the try block, so this hides a timeout of '{stakes.Detail}' (such as HttpClient.Timeout), not a requested cancellation",
        };
    }

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

    /// <summary>A comment in the catch says why the failure may stay hidden (a TODO says the opposite).</summary>
    private static bool IsJustified(CatchFate fate, OperationAnalysisContext context)
    {
        var tree = fate.Syntax.SyntaxTree;
        if (!AllowJustificationComment.Read(context.Options, tree))
        {
            return false;
        }

        var prefix = JustificationPrefix.Read(context.Options, tree);
        return !fate.IsMarkedUnfinished
            && fate.Comments.Any(text => prefix.Length == 0 || text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
    }
}
