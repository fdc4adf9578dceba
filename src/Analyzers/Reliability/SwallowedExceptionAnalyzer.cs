using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using Sluice.Analyzers.Idempotency;
using Sluice.Analyzers.Infrastructure;

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
            var types = ExceptionTypes.TryCreate(start.Compilation);
            if (types is null)
            {
                return;
            }

            var retryTypes = RetryTypes.TryCreate(start.Compilation);
            start.RegisterOperationAction(operationContext => AnalyzeCatch(operationContext, types, retryTypes), OperationKind.CatchClause);
        });
    }

    private static void AnalyzeCatch(OperationAnalysisContext context, ExceptionTypes types, RetryTypes? retryTypes)
    {
        var catchClause = (ICatchClauseOperation)context.Operation;
        if (catchClause.Syntax is not CatchClauseSyntax syntax
            || SwallowReason(catchClause, types) is not { } reason
            || IsJustified(syntax, context)
            || IsAllowedMethod(context)
            || RetriesWithoutLosingTheFailure(catchClause, retryTypes))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Rule, Location(syntax), Describe(syntax), Reasons.Message(reason)));
    }

    /// <summary>
    /// A retrying catch of a hand-rolled retry loop that gives up by (re)throwing, or never gives up: the failure is
    /// retried, not lost, and SLU402/SLU403/SLU405 report the loop. A loop that falls out after its last attempt does
    /// lose the failure, so its catch stays SLU201's.
    /// </summary>
    private static bool RetriesWithoutLosingTheFailure(ICatchClauseOperation catchClause, RetryTypes? retryTypes)
        => retryTypes is not null
            && catchClause.Parent is ITryOperation { Parent: IBlockOperation { Parent: ILoopOperation loop } }
            && RetryLoops.TryMatch(loop, retryTypes, out var shape)
            && shape!.RetryingCatches.Contains(catchClause)
            && (shape.IsUnbounded || shape.Exhaustion is RetryExhaustion.Rethrow or RetryExhaustion.Throw);

    /// <summary>The catch keyword and its declaration: <c>catch (Exception ex)</c>, without the filter and the block.</summary>
    internal static Location Location(CatchClauseSyntax syntax)
        => Microsoft.CodeAnalysis.Location.Create(
            syntax.SyntaxTree,
            TextSpan.FromBounds(syntax.CatchKeyword.SpanStart, syntax.Declaration?.Span.End ?? syntax.CatchKeyword.Span.End));

    /// <summary>
    /// Why the catch swallows its exception (one of <see cref="Reasons"/>), or null when it does not: it rethrows,
    /// throws, ends the process, passes the exception on, handles a specific type with real code, or is tied to a
    /// requested cancellation. SLU202 uses this to leave SLU201's catches to SLU201.
    /// </summary>
    internal static string? SwallowReason(ICatchClauseOperation catchClause, ExceptionTypes types)
    {
        if (catchClause.Syntax is not CatchClauseSyntax syntax)
        {
            return null;
        }

        var caughtType = syntax.Declaration is null ? null : catchClause.ExceptionType;
        var isBroad = caughtType is null || types.IsBroad(caughtType);
        var isEmpty = catchClause.Handler.Operations.IsEmpty;

        // A specific exception type handled with real code (a fallback value, a default) is a decision, not a swallow.
        if (!isBroad && !isEmpty)
        {
            return null;
        }

        if (IsTiedToCancellation(catchClause, types))
        {
            return null;
        }

        if (caughtType is not null && types.IsCancellation(caughtType))
        {
            // With no token anywhere, only a timeout can land here.
            return Reasons.CancellationWithoutToken;
        }

        var exceptionUse = ReadExceptionUse(catchClause);
        if (exceptionUse == ExceptionUse.Observed || Throws(catchClause.Handler))
        {
            return null;
        }

        return isEmpty ? Reasons.Empty : exceptionUse == ExceptionUse.MessageOnly ? Reasons.MessageOnly : Reasons.NotObserved;
    }

    /// <summary>
    /// A filter such as <c>when (token.IsCancellationRequested)</c>, or (for an OperationCanceledException catch) a try
    /// block that hands a CancellationToken to some call: the catch is part of stopping on request.
    /// </summary>
    internal static bool IsTiedToCancellation(ICatchClauseOperation catchClause, ExceptionTypes types)
        => (catchClause.Filter is { } filter && ChecksCancellation(filter, types))
            || (catchClause.ExceptionType is { } caught && types.IsCancellation(caught) && PassesCancellationToken(catchClause, types));

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

    /// <summary>A throw, or ending the process (Environment.Exit/FailFast): either way the failure is not silent.</summary>
    internal static bool Throws(IOperation handler)
        => handler.OwnDescendants().Any(operation => operation switch
        {
            IThrowOperation => true,
            IInvocationOperation { TargetMethod: { Name: "Exit" or "FailFast", ContainingType: { Name: "Environment", ContainingNamespace.Name: "System" } } } => true,
            _ => false,
        });

    /// <summary>A filter such as <c>when (token.IsCancellationRequested)</c> ties the catch to a requested cancellation.</summary>
    private static bool ChecksCancellation(IOperation filter, ExceptionTypes types)
        => filter.OwnDescendants().Any(operation =>
            operation is IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" } property
            && types.IsCancellationSource(property.Property.ContainingType));

    /// <summary>True when the try block hands a <see cref="System.Threading.CancellationToken"/> to some call.</summary>
    private static bool PassesCancellationToken(ICatchClauseOperation catchClause, ExceptionTypes types)
        => catchClause.Parent is ITryOperation tryOperation
            && tryOperation.Body.OwnDescendants().Any(operation =>
                operation is IArgumentOperation argument && types.IsCancellationToken(argument.Value.Type));

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

    /// <summary>The reasons a catch is reported, each with the second half of the message.</summary>
    internal static class Reasons
    {
        internal const string Empty = nameof(Empty);
        internal const string NotObserved = nameof(NotObserved);
        internal const string MessageOnly = nameof(MessageOnly);
        internal const string CancellationWithoutToken = nameof(CancellationWithoutToken);

        internal static string Message(string reason) => reason switch
        {
            Empty => "the block is empty, so the failure disappears without a trace",
            MessageOnly => "only its message is read, so the type and stack trace are lost and nothing rethrows, logs or passes on the exception",
            CancellationWithoutToken => "no CancellationToken is passed in the try block, so this hides timeouts (such as HttpClient.Timeout), not a requested cancellation",
            _ => "it is not rethrown, logged with the exception object, or passed on, so the failure disappears without a trace",
        };
    }

    /// <summary>How the catch uses its exception variable.</summary>
    private enum ExceptionUse
    {
        Unused,
        MessageOnly,
        Observed,
    }

    /// <summary>Members that expose a detail of the exception but lose its type, stack trace and inner exceptions.</summary>
    private static readonly ImmutableHashSet<string> DetailOnlyMembers =
        ImmutableHashSet.Create("Message", "HResult", "Source", "HelpLink", "GetType");

    /// <summary>
    /// Any use of the exception variable other than reading a detail (Message, HResult...) counts as observing it:
    /// passed to a call, assigned, returned, interpolated (its ToString carries the stack trace). Lambdas count too.
    /// </summary>
    private static ExceptionUse ReadExceptionUse(ICatchClauseOperation catchClause)
    {
        if (catchClause.ExceptionDeclarationOrExpression is not IVariableDeclaratorOperation { Symbol: { } local })
        {
            return ExceptionUse.Unused;
        }

        var use = ExceptionUse.Unused;
        var scopes = catchClause.Filter is null ? new[] { catchClause.Handler } : new[] { catchClause.Filter, catchClause.Handler };
        foreach (var reference in scopes.SelectMany(scope => scope.OwnDescendants()).OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, local))
            {
                continue;
            }

            // Testing its type (ex is HttpRequestException) or reading a detail decides something, but keeps nothing.
            var readsDetail = reference.Parent switch
            {
                IPropertyReferenceOperation property => property.Instance == reference && DetailOnlyMembers.Contains(property.Property.Name),
                IInvocationOperation invocation => invocation.Instance == reference && DetailOnlyMembers.Contains(invocation.TargetMethod.Name),
                IIsTypeOperation or IIsPatternOperation => true,
                _ => false,
            };
            if (!readsDetail)
            {
                return ExceptionUse.Observed;
            }

            use = ExceptionUse.MessageOnly;
        }

        return use;
    }
}
