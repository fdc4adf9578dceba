using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Simplification;
using Sluice.Analyzers;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;
using Sluice.Contract;

namespace Sluice.CodeFixes.Idempotency;

/// <summary>
/// Fixes SLU402, with the Sluice runtime referenced, by replacing the loop with one call:
/// <c>await SluiceResilience.RetryAsync(async ct =&gt; { try body }, ex =&gt; ex is CaughtType, maxAttempts: n, cancellationToken: token)</c>
/// (or the synchronous <c>SluiceResilience.Retry</c> when the try body does not await). The attempt count is the loop's
/// (see <see cref="RetryLoopShape.MaxAttempts"/>), the caught type (and any part of the <c>when</c> filter that does not
/// look at the counter) becomes the retry predicate — a catch of <c>Exception</c> retries transient failures only —
/// the delay becomes the runtime's exponential backoff with jitter, and the log line of a failed attempt becomes
/// <c>RetryAsync</c>'s <c>onRetry</c> hook when it can (the exception and the attempt number mapped to the hook's
/// arguments); otherwise, and on the synchronous <c>Retry</c>, which has no hook, it is dropped.
/// Offered only when the rewrite keeps what the loop does: one catch, the last failure rethrown at the limit, nothing
/// but delays, log lines and counter bookkeeping outside the try, the counter not used by the try body or after the
/// loop, and a result that compiles.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HandRolledRetryCodeFix))]
[Shared]
public sealed class HandRolledRetryCodeFix : CodeFixProvider
{
    internal const string UseSluiceRetryKey = RuleIds.HandRolledRetry + ".UseSluiceRetry";


    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.HandRolledRetry);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true).FirstAncestorOrSelf<StatementSyntax>(IsLoop) is not { } loop)
        {
            return;
        }

        var fixedDocument = await FixAsync(context.Document, loop, UseSluiceRetryKey, context.CancellationToken).ConfigureAwait(false);
        if (fixedDocument is null)
        {
            return;
        }

        var isAsync = LoopParts.Of(loop)?.Try.Block.DescendantNodes(n => n is not AnonymousFunctionExpressionSyntax and not LocalFunctionStatementSyntax)
            .OfType<AwaitExpressionSyntax>().Any() == true;
        context.RegisterCodeFix(
            CodeAction.Create(
                isAsync ? "Retry with SluiceResilience.RetryAsync" : "Retry with SluiceResilience.Retry",
                _ => Task.FromResult(fixedDocument),
                UseSluiceRetryKey),
            diagnostic);
    }

    private static bool IsLoop(StatementSyntax statement) => statement is ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax;

    private static async Task<Document?> FixAsync(Document document, StatementSyntax loop, string? key, CancellationToken cancellationToken)
    {
        if (key != UseSluiceRetryKey || !IsLoop(loop))
        {
            return null;
        }

        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is not CompilationUnitSyntax unit || model is null
            || KnownTypes.Of(model.Compilation) is not { Exception: not null } types
            || types.SluiceResilience is null
            || model.GetOperation(loop, cancellationToken) is not ILoopOperation operation
            || !RetryLoops.TryMatch(operation, types, out var shape))
        {
            return null;
        }

        // The loop's log line goes into RetryAsync's onRetry hook when it can; otherwise (or when that does not compile)
        // the rewrite without it.
        return await FixAsync(document, unit, model, types, shape!, loop, keepLog: true, cancellationToken).ConfigureAwait(false)
            ?? await FixAsync(document, unit, model, types, shape!, loop, keepLog: false, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Document?> FixAsync(Document document, CompilationUnitSyntax unit, SemanticModel model, KnownTypes types, RetryLoopShape shape, StatementSyntax loop, bool keepLog, CancellationToken cancellationToken)
    {
        if (Rewrite(model, types, shape, loop, keepLog, cancellationToken) is not { } rewrite)
        {
            return null;
        }

        var mark = new SyntaxAnnotation();
        var block = (BlockSyntax)loop.Parent!;
        var statements = block.Statements;
        var index = statements.IndexOf(loop);
        var replacement = rewrite.Statements.Select((s, i) => i == 0 ? s.WithLeadingTrivia(loop.GetLeadingTrivia()) : s).ToList();
        replacement[replacement.Count - 1] = replacement[replacement.Count - 1].WithTrailingTrivia(loop.GetTrailingTrivia());
        replacement = replacement.Select(s => s.WithAdditionalAnnotations(Formatter.Annotation, mark)).ToList();

        var kept = new List<StatementSyntax>();
        for (var i = 0; i < statements.Count; i++)
        {
            if (i == index)
            {
                kept.AddRange(replacement);
            }
            else if (!rewrite.Removed.Contains(statements[i]))
            {
                kept.Add(statements[i]);
            }
        }

        var newRoot = unit.ReplaceNode(block, block.WithStatements(SyntaxFactory.List(kept)));
        if (!UsingDirectives.IsImported(model, loop.SpanStart, RuntimeContract.Namespace))
        {
            newRoot = UsingDirectives.Add(newRoot, RuntimeContract.Namespace);
        }

        var fixedDocument = document.WithSyntaxRoot(newRoot);
        return await CompilesAsync(fixedDocument, mark, cancellationToken).ConfigureAwait(false) ? fixedDocument : null;
    }

    /// <summary>The rewrite must bind: a captured ref parameter, a Span local or an ambiguous overload leaves the loop alone.</summary>
    private static async Task<bool> CompilesAsync(Document document, SyntaxAnnotation mark, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var member = root?.GetAnnotatedNodes(mark).FirstOrDefault()?.FirstAncestorOrSelf<MemberDeclarationSyntax>();
        return model is not null && member is not null
            && !model.GetDiagnostics(member.Span, cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error);
    }

    private sealed class Rewritten(List<StatementSyntax> statements, HashSet<StatementSyntax> removed)
    {
        public List<StatementSyntax> Statements { get; } = statements;

        public HashSet<StatementSyntax> Removed { get; } = removed;
    }

    /// <summary>The statements that replace the loop, and the statements of its block that go with it; null when no sound rewrite exists.</summary>
    private static Rewritten? Rewrite(SemanticModel model, KnownTypes types, RetryLoopShape shape, StatementSyntax loop, bool keepLog, CancellationToken cancellationToken)
    {
        if (shape.MaxAttempts is not { } attempts || attempts > RuntimeContract.Resilience.MaxAttempts
            || shape.Exhaustion != RetryExhaustion.Rethrow
            || shape.Try.Catches.Length != 1 || shape.RetryingCatches.Length != 1 || shape.Try.Finally is not null
            || !shape.OtherStatements.IsEmpty
            || loop.Parent is not BlockSyntax block
            || LoopParts.Of(loop) is not { } parts
            || shape.AttemptCounter is not { } counter
            || RetryLoops.References(shape.Try.Body, counter))
        {
            return null;
        }

        var catchClause = shape.RetryingCatches[0];
        var catchSyntax = (CatchClauseSyntax)catchClause.Syntax;
        var tryBlock = parts.Try.Block;
        var tryFlow = model.AnalyzeControlFlow(tryBlock);
        if (tryFlow is not { Succeeded: true, EndPointIsReachable: false }
            || shape.Try.Body.OwnDescendants().Any(o => o is IReturnOperation { Kind: OperationKind.YieldReturn or OperationKind.YieldBreak }
                || (o is IBranchOperation branch && branch.BranchKind != BranchKind.Break && !IsInside(branch, shape.Try.Body, branch.Target))
                || (o is IBranchOperation { BranchKind: BranchKind.Break } inner && !IsInside(inner, shape.Try.Body, inner.Target)
                    && !SymbolEqualityComparer.Default.Equals(inner.Target, shape.Loop.ExitLabel))))
        {
            return null;
        }

        // The counter lives only for the loop: declared by the for, or by a statement just for it that goes too.
        var removed = new HashSet<StatementSyntax>();
        if (!shape.Loop.Locals.Contains(counter, SymbolEqualityComparer.Default))
        {
            if (counter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not VariableDeclaratorSyntax
                {
                    Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax declaration },
                }
                || declaration.Parent != block)
            {
                return null;
            }

            removed.Add(declaration);
        }

        var body = model.GetOperation(block, cancellationToken) ?? shape.Loop;
        if (body.Descendants().OfType<ILocalReferenceOperation>().Any(r => SymbolEqualityComparer.Default.Equals(r.Local, counter) && !loop.Span.Contains(r.Syntax.Span)))
        {
            return null;
        }

        var returns = shape.SuccessExits.OfType<IReturnOperation>().ToList();
        var breaks = shape.SuccessExits.OfType<IBranchOperation>().ToList();
        if (returns.Count > 0 && breaks.Count > 0)
        {
            return null;
        }

        var isAsync = shape.Try.Body.OwnDescendants().Any(o => o is IAwaitOperation);
        if (isAsync && !AsyncContext.CanAwait(loop))
        {
            return null;
        }

        var predicate = Predicate(model, types, shape, catchClause, catchSyntax, counter, loop);
        if (predicate.Refused)
        {
            return null;
        }

        // The token: the one the delay observed, else one the try body uses, else any in scope.
        var token = Token(model, types, shape, loop);
        var usesDiscard = tryBlock.DescendantTokens().Any(t => t.IsKind(SyntaxKind.IdentifierToken) && t.ValueText == "_");
        var parameterName = token is null && !usesDiscard ? "_" : LocalNames.Unique(model, loop, "ct", "cancellationToken");

        // The lambda body: the try block, with the token swapped for the lambda's and breaks out of the loop as returns.
        var tokenReferences = token is null
            ? []
            : tryBlock.DescendantNodes().OfType<IdentifierNameSyntax>()
                .Where(name => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, token))
                .ToList();
        var breakSyntax = breaks.Select(b => b.Syntax).OfType<BreakStatementSyntax>().ToList();
        ExpressionSyntax? assignedTarget = null;
        var lambdaBlock = tokenReferences.Count == 0
            ? tryBlock
            : tryBlock.ReplaceNodes(tokenReferences, (_, current) => SyntaxFactory.IdentifierName(parameterName).WithTriviaFrom(current));
        var last = tryBlock.Statements.Count - 1;
        if (breakSyntax.Count == 1 && last >= 1 && tryBlock.Statements[last] == breakSyntax[0]
            && tryBlock.Statements[last - 1] is ExpressionStatementSyntax
            {
                Expression: AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Left: IdentifierNameSyntax target },
            }
            && model.GetSymbolInfo(target, cancellationToken).Symbol is ILocalSymbol)
        {
            // result = Call(); break;  →  result = Retry(_ => { ...; return Call(); })
            assignedTarget = target;
            var assignmentStatement = (ExpressionStatementSyntax)lambdaBlock.Statements[last - 1];
            var returnStatement = SyntaxFactory.ReturnStatement(((AssignmentExpressionSyntax)assignmentStatement.Expression).Right.WithoutTrivia())
                .WithTriviaFrom(assignmentStatement);
            lambdaBlock = lambdaBlock.WithStatements(SyntaxFactory.List(lambdaBlock.Statements.Take(last - 1).Append(returnStatement)));
        }
        else if (breakSyntax.Count > 0)
        {
            lambdaBlock = tryBlock.ReplaceNodes(
                tryBlock.DescendantNodes().Where(n => n is BreakStatementSyntax && breakSyntax.Contains(n) || tokenReferences.Contains(n)),
                (original, current) => original is BreakStatementSyntax
                    ? SyntaxFactory.ReturnStatement().WithTriviaFrom(current)
                    : SyntaxFactory.IdentifierName(parameterName).WithTriviaFrom(current));
        }

        var returnsValue = returns.Any(r => r.ReturnedValue is not null) || assignedTarget is not null;
        if (returns.Any(r => r.ReturnedValue is null) && returnsValue)
        {
            return null;
        }

        // A void attempt's trailing "return;" says nothing inside a lambda.
        if (!returnsValue && lambdaBlock.Statements.LastOrDefault() is ReturnStatementSyntax { Expression: null } trailingReturn)
        {
            lambdaBlock = lambdaBlock.WithStatements(lambdaBlock.Statements.Remove(trailingReturn));
        }

        // The log line of a failed attempt, as RetryAsync's onRetry hook (there is none on the synchronous Retry).
        LambdaExpressionSyntax? onRetry = null;
        if (keepLog)
        {
            if (!isAsync || OnRetry(model, shape, catchSyntax, counter, loop, cancellationToken) is not { } hook)
            {
                return null;
            }

            onRetry = hook;
        }

        var lambda = Lambda(lambdaBlock, parameterName, isAsync);
        var arguments = new List<ArgumentSyntax> { SyntaxFactory.Argument(lambda) };
        if (predicate.Expression is { } shouldRetry)
        {
            arguments.Add(SyntaxFactory.Argument(shouldRetry));
        }
        else if (onRetry is not null)
        {
            // The onRetry overloads take the predicate: the one the runtime uses when none is given.
            arguments.Add(SyntaxFactory.Argument(SyntaxFactory.MemberAccessExpression(
                SyntaxKind.SimpleMemberAccessExpression,
                SyntaxFactory.ParseTypeName("global::" + RuntimeContract.Resilience.TypeName).WithAdditionalAnnotations(Simplifier.Annotation),
                SyntaxFactory.IdentifierName(RuntimeContract.Resilience.IsTransient))));
        }

        if (onRetry is not null)
        {
            arguments.Add(SyntaxFactory.Argument(onRetry));
        }

        arguments.Add(SyntaxFactory.Argument(SyntaxFactory.NameColon(RuntimeContract.Resilience.MaxAttemptsParameter), default, Number(attempts)));
        if (token is not null)
        {
            arguments.Add(SyntaxFactory.Argument(SyntaxFactory.NameColon(RuntimeContract.Resilience.CancellationTokenParameter), default, SyntaxFactory.IdentifierName(token.Name)));
        }

        ExpressionSyntax call = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(
                SyntaxKind.SimpleMemberAccessExpression,
                SyntaxFactory.ParseTypeName("global::" + RuntimeContract.Resilience.TypeName).WithAdditionalAnnotations(Simplifier.Annotation),
                SyntaxFactory.IdentifierName(isAsync ? RuntimeContract.Resilience.RetryAsync : RuntimeContract.Resilience.Retry)),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments)));
        if (isAsync)
        {
            call = SyntaxFactory.AwaitExpression(call);
        }

        var statements = new List<StatementSyntax>();
        if (assignedTarget is not null)
        {
            statements.Add(SyntaxFactory.ExpressionStatement(SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, assignedTarget.WithoutTrivia(), call)));
        }
        else if (returnsValue)
        {
            statements.Add(SyntaxFactory.ReturnStatement(call));
        }
        else
        {
            statements.Add(SyntaxFactory.ExpressionStatement(call));
        }

        // The loop never ends normally when every exit is a return (the limit rethrows): what follows it is dead.
        if (breaks.Count == 0)
        {
            var following = block.Statements.Skip(block.Statements.IndexOf(loop) + 1).ToList();
            if (following.Any(s => s is LocalFunctionStatementSyntax or LabeledStatementSyntax))
            {
                return null;
            }

            removed.UnionWith(following);
            if (!returnsValue && !EndsFunction(block))
            {
                statements.Add(SyntaxFactory.ReturnStatement());
            }
        }

        return new Rewritten(statements, removed);
    }

    /// <summary>
    /// <c>(ex, attempt) =&gt; logger.LogWarning(ex, "...", attempt)</c>: the log calls that run after a failed attempt, with
    /// the catch's exception and the attempt counter mapped to the hook's arguments (the counter shifted when it does not
    /// count failed attempts from 1). Null when there is no such log call, or when one is awaited, or uses a local the
    /// hook cannot see (declared in the loop, other than the exception and the counter), or the counter where its value
    /// is not known.
    /// </summary>
    private static ParenthesizedLambdaExpressionSyntax? OnRetry(SemanticModel model, RetryLoopShape shape, CatchClauseSyntax catchSyntax, ILocalSymbol counter, StatementSyntax loop, CancellationToken cancellationToken)
    {
        var logs = shape.LogStatements.Where(l => l.RunsAfterFailure).ToList();
        if (logs.Count == 0 || logs.Any(l => l.Statement is not IExpressionStatementOperation { Operation: not IAwaitOperation }))
        {
            return null;
        }

        var exception = catchSyntax.Declaration is { } declaration && !declaration.Identifier.IsKind(SyntaxKind.None)
            ? model.GetDeclaredSymbol(declaration, cancellationToken)
            : null;
        var exceptionName = exception?.Name ?? LocalNames.Unique(model, loop, "ex", "exception");

        // The counter goes with the loop, so the hook's attempt parameter can take its name when it means the same number.
        var offsets = logs.Where(l => RetryLoops.References(l.Statement, counter)).Select(l => l.CounterOffset).Distinct().ToList();
        if (offsets.Any(o => o is null))
        {
            return null;
        }

        var attemptName = offsets.Count == 0 ? "_" : offsets.All(o => o == 0) ? counter.Name : LocalNames.Unique(model, loop, "attempt", "failedAttempt");
        if (attemptName == exceptionName)
        {
            return null;
        }

        var calls = new List<ExpressionSyntax>();
        foreach (var log in logs)
        {
            var syntax = ((ExpressionStatementSyntax)log.Statement.Syntax).Expression;
            var replacements = new Dictionary<SyntaxNode, ExpressionSyntax>();
            foreach (var reference in log.Statement.Descendants().OfType<ILocalReferenceOperation>())
            {
                var local = reference.Local;
                if (SymbolEqualityComparer.Default.Equals(local, exception))
                {
                    replacements[reference.Syntax] = SyntaxFactory.IdentifierName(exceptionName);
                }
                else if (SymbolEqualityComparer.Default.Equals(local, counter))
                {
                    var offset = log.CounterOffset!.Value;
                    ExpressionSyntax attempt = SyntaxFactory.IdentifierName(attemptName);
                    if (offset != 0)
                    {
                        attempt = SyntaxFactory.ParenthesizedExpression(SyntaxFactory.BinaryExpression(
                            offset > 0 ? SyntaxKind.AddExpression : SyntaxKind.SubtractExpression,
                            attempt,
                            Number(System.Math.Abs(offset)))).WithAdditionalAnnotations(Simplifier.Annotation);
                    }

                    replacements[reference.Syntax] = attempt;
                }
                else if (local.DeclaringSyntaxReferences.Any(r => loop.Span.Contains(r.Span) && !syntax.Span.Contains(r.Span)))
                {
                    // A local of the loop other than the exception and the counter: the hook cannot see it.
                    return null;
                }
            }

            calls.Add(syntax.ReplaceNodes(replacements.Keys, (original, _) => replacements[original].WithTriviaFrom(original)).WithoutTrivia());
        }

        var parameters = SyntaxFactory.ParameterList(SyntaxFactory.SeparatedList(new[]
        {
            SyntaxFactory.Parameter(SyntaxFactory.Identifier(exceptionName)),
            SyntaxFactory.Parameter(SyntaxFactory.Identifier(attemptName)),
        }));
        return calls.Count == 1
            ? SyntaxFactory.ParenthesizedLambdaExpression(parameters, calls[0])
            : SyntaxFactory.ParenthesizedLambdaExpression(parameters, SyntaxFactory.Block(calls.Select(call => SyntaxFactory.ExpressionStatement(call.WithLeadingTrivia(SyntaxFactory.ElasticMarker))
                .WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed))));
    }

    /// <summary>
    /// True when nothing but the function's end follows <paramref name="block"/>: it is the function body, or the last
    /// statement of it, or the try block of a try statement that is (a trailing "return;" would say nothing there).
    /// </summary>
    private static bool EndsFunction(BlockSyntax block)
    {
        for (SyntaxNode current = block; ;)
        {
            switch (current.Parent)
            {
                case BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or AccessorDeclarationSyntax:
                    return true;
                case TryStatementSyntax tryStatement when tryStatement.Block == current:
                    current = tryStatement;
                    break;
                case BlockSyntax parent when parent.Statements.LastOrDefault() == current:
                    current = parent;
                    break;
                default:
                    return false;
            }
        }
    }

    private static bool IsInside(IBranchOperation branch, IOperation region, ILabelSymbol target)
        => target.DeclaringSyntaxReferences.IsEmpty
            ? region.Descendants().OfType<ILoopOperation>().Any(l => SymbolEqualityComparer.Default.Equals(l.ExitLabel, target) || SymbolEqualityComparer.Default.Equals(l.ContinueLabel, target))
                || region.Descendants().OfType<ISwitchOperation>().Any(s => SymbolEqualityComparer.Default.Equals(s.ExitLabel, target))
            : target.DeclaringSyntaxReferences.All(r => region.Syntax.Span.Contains(r.Span));

    /// <summary><c>async ct =&gt; await call(ct)</c> for a single return; <c>_ =&gt; { ... }</c> otherwise.</summary>
    private static SimpleLambdaExpressionSyntax Lambda(BlockSyntax body, string parameterName, bool isAsync)
    {
        var parameter = SyntaxFactory.Parameter(SyntaxFactory.Identifier(parameterName));
        var lambda = body.Statements.Count == 1 && body.Statements[0] is ReturnStatementSyntax { Expression: { } returned }
            ? SyntaxFactory.SimpleLambdaExpression(parameter, returned.WithoutTrivia())
            : body.Statements.Count == 1 && body.Statements[0] is ExpressionStatementSyntax { Expression: { } single }
                ? SyntaxFactory.SimpleLambdaExpression(parameter, single.WithoutTrivia())
                : SyntaxFactory.SimpleLambdaExpression(parameter, body.WithoutTrivia());
        return isAsync ? lambda.WithAsyncKeyword(SyntaxFactory.Token(SyntaxKind.AsyncKeyword)) : lambda;
    }

    private static LiteralExpressionSyntax Number(int value)
        => SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(value.ToString(CultureInfo.InvariantCulture), value));

    private readonly struct RetryPredicate(ExpressionSyntax? expression, bool refused)
    {
        public ExpressionSyntax? Expression { get; } = expression;

        public bool Refused { get; } = refused;
    }

    /// <summary>
    /// <c>ex =&gt; ex is HttpRequestException</c> from the caught type, with the parts of the filter that do not look at the
    /// counter. A catch of <c>Exception</c> with no other condition gets no predicate: the runtime retries transient failures.
    /// </summary>
    private static RetryPredicate Predicate(SemanticModel model, KnownTypes types, RetryLoopShape shape, ICatchClauseOperation catchClause, CatchClauseSyntax catchSyntax, ILocalSymbol counter, StatementSyntax loop)
    {
        var conditions = new List<ExpressionSyntax>();
        if (catchSyntax.Filter is { } filter)
        {
            foreach (var part in Conjuncts(filter.FilterExpression))
            {
                var partOperation = model.GetOperation(part);
                if (partOperation is null)
                {
                    return new RetryPredicate(null, refused: true);
                }

                if (!RetryLoops.References(partOperation, counter))
                {
                    conditions.Add(part.WithoutTrivia());
                }
                else if (!shape.LimitChecks.Any(check => check.Site == RetryLimitSite.CatchFilter && check.Comparison.Syntax == partOperation.Syntax))
                {
                    return new RetryPredicate(null, refused: true);
                }
            }
        }

        var declaration = catchSyntax.Declaration;
        var isBroad = CatchFate.IsBroadCatch(catchClause, types);
        var name = declaration?.Identifier.ValueText;
        if (string.IsNullOrEmpty(name))
        {
            name = null;
        }

        if (isBroad && conditions.Count == 0)
        {
            return new RetryPredicate(null, refused: false);
        }

        var parameter = isBroad && name is not null ? name : LocalNames.Unique(model, loop, "ex", "exception");
        ExpressionSyntax? typeTest = null;
        if (!isBroad)
        {
            var type = declaration!.Type.WithoutTrivia();
            typeTest = name is not null && conditions.Count > 0
                ? SyntaxFactory.IsPatternExpression(SyntaxFactory.IdentifierName(parameter), SyntaxFactory.DeclarationPattern(type, SyntaxFactory.SingleVariableDesignation(SyntaxFactory.Identifier(name))))
                : SyntaxFactory.BinaryExpression(SyntaxKind.IsExpression, SyntaxFactory.IdentifierName(parameter), type);
        }

        var parts = (typeTest is null ? [] : new List<ExpressionSyntax> { typeTest })
            .Concat(conditions.Select(c => c is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalOrExpression } ? SyntaxFactory.ParenthesizedExpression(c) : c))
            .ToList();
        var body = parts.Aggregate((left, right) => SyntaxFactory.BinaryExpression(SyntaxKind.LogicalAndExpression, left, right));
        return new RetryPredicate(SyntaxFactory.SimpleLambdaExpression(SyntaxFactory.Parameter(SyntaxFactory.Identifier(parameter)), body), refused: false);
    }

    private static IEnumerable<ExpressionSyntax> Conjuncts(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        if (expression is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalAndExpression } and)
        {
            return Conjuncts(and.Left).Concat(Conjuncts(and.Right));
        }

        return [expression];
    }

    /// <summary>A CancellationToken parameter or local: the delay's, else the try body's, else any in scope.</summary>
    private static ISymbol? Token(SemanticModel model, KnownTypes types, RetryLoopShape shape, StatementSyntax loop)
    {
        static ISymbol? Named(IOperation? value) => value?.WalkDownConversion() switch
        {
            IParameterReferenceOperation parameter => parameter.Parameter,
            ILocalReferenceOperation local => local.Local,
            _ => null,
        };

        foreach (var delay in shape.Delays)
        {
            if (delay.Arguments.FirstOrDefault(a => types.IsCancellationToken(a.Value.Type) && a.ArgumentKind != ArgumentKind.DefaultValue) is { } argument
                && Named(argument.Value) is { } fromDelay)
            {
                return fromDelay;
            }
        }

        foreach (var reference in shape.Try.Body.OwnDescendants().OrderBy(o => o.Syntax.SpanStart))
        {
            if (reference is IParameterReferenceOperation or ILocalReferenceOperation && types.IsCancellationToken(reference.Type) && Named(reference) is { } used)
            {
                return used;
            }
        }

        return SymbolsInScope.FindUsable(model, loop.SpanStart, t => types.IsCancellationToken(t)) is { } inScope and (IParameterSymbol or ILocalSymbol)
            ? inScope
            : null;
    }

    /// <summary>The syntax of a retry loop's body and its try statement.</summary>
    private sealed class LoopParts(TryStatementSyntax @try)
    {
        public TryStatementSyntax Try { get; } = @try;

        public static LoopParts? Of(StatementSyntax loop)
        {
            var body = loop switch
            {
                ForStatementSyntax f => f.Statement,
                WhileStatementSyntax w => w.Statement,
                DoStatementSyntax d => d.Statement,
                _ => null,
            };
            return body is BlockSyntax block && block.Statements.OfType<TryStatementSyntax>().SingleOrDefault() is { } @try ? new LoopParts(@try) : null;
        }
    }
}
