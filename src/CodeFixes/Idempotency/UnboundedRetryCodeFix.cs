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
using Sluice.Analyzers;
using Sluice.Analyzers.Idempotency;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Idempotency;

/// <summary>
/// Fixes SLU405 by bounding the attempts to <c>sluice.SLU405.max_attempts</c> (the first included). A Polly
/// <c>MaxRetryAttempts = int.MaxValue</c> becomes <c>max_attempts - 1</c> retries. A loop gets a counter declared
/// before it, <c>var attempt = 0;</c>, and each retrying catch the filter <c>when (++attempt &lt; n)</c> (after its own
/// condition, so only the failures it retries count): the n-th failure is no longer caught and propagates unchanged.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedRetryCodeFix))]
[Shared]
public sealed class UnboundedRetryCodeFix : CodeFixProvider
{
    internal const string BoundAttemptsKey = RuleIds.UnboundedRetry + ".BoundAttempts";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.UnboundedRetry);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || !TryGetAttempts(diagnostic, out var attempts))
        {
            return;
        }

        var node = root.FindNode(context.Span, getInnermostNodeForTie: true);
        var target = Target(node);
        if (target is null)
        {
            return;
        }

        var fixedDocument = await FixAsync(context.Document, target, attempts, context.CancellationToken).ConfigureAwait(false);
        if (fixedDocument is null)
        {
            return;
        }

        var text = attempts.ToString(CultureInfo.InvariantCulture);
        context.RegisterCodeFix(
            CodeAction.Create(
                target is ExpressionSyntax ? $"Retry at most {(attempts - 1).ToString(CultureInfo.InvariantCulture)} times" : $"Stop after {text} attempts",
                _ => Task.FromResult(fixedDocument),
                BoundAttemptsKey),
            diagnostic);
    }

    private static bool TryGetAttempts(Diagnostic diagnostic, out int attempts)
        => int.TryParse(diagnostic.Properties.TryGetValue(UnboundedRetryAnalyzer.MaxAttemptsProperty, out var value) ? value : null, NumberStyles.Integer, CultureInfo.InvariantCulture, out attempts);

    /// <summary>The reported loop statement, or the reported <c>int.MaxValue</c> expression.</summary>
    private static SyntaxNode? Target(SyntaxNode node)
        => node.FirstAncestorOrSelf<StatementSyntax>(s => s is ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax) is { } loop
            && (node is not ExpressionSyntax || node.Parent is ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax)
                ? loop
                : node as ExpressionSyntax;

    private static async Task<Document?> FixAsync(Document document, SyntaxNode target, int attempts, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return null;
        }

        if (target is ExpressionSyntax maxValue)
        {
            var retries = SyntaxFactory.LiteralExpression(
                SyntaxKind.NumericLiteralExpression,
                SyntaxFactory.Literal((attempts - 1).ToString(CultureInfo.InvariantCulture), attempts - 1));
            return document.WithSyntaxRoot(root.ReplaceNode(maxValue, retries.WithTriviaFrom(maxValue)));
        }

        var loop = (StatementSyntax)target;
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model is null
            || loop.Parent is not BlockSyntax block
            || KnownTypes.Of(model.Compilation) is not { Exception: not null } types
            || model.GetOperation(loop, cancellationToken) is not ILoopOperation operation
            || !RetryLoops.TryMatch(operation, types, out var shape)
            || !shape!.IsUnbounded)
        {
            return null;
        }

        var name = LocalNames.Unique(model, block, "attempt", "attempts");
        var limit = SyntaxFactory.ParseExpression($"++{name} < {attempts.ToString(CultureInfo.InvariantCulture)}");
        var catches = shape.RetryingCatches.Select(c => (CatchClauseSyntax)c.Syntax).ToList();
        var newLoop = loop.ReplaceNodes(catches, (_, current) =>
        {
            var condition = current.Filter is { } existing
                ? SyntaxFactory.BinaryExpression(SyntaxKind.LogicalAndExpression, Parenthesize(existing.FilterExpression), limit)
                : limit;
            var filter = SyntaxFactory.CatchFilterClause(
                SyntaxFactory.Token(default, SyntaxKind.WhenKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space)),
                SyntaxFactory.Token(default, SyntaxKind.OpenParenToken, default),
                condition.WithoutTrivia(),
                SyntaxFactory.Token(default, SyntaxKind.CloseParenToken, default));
            var trailing = current.Filter is { } old ? old.GetTrailingTrivia()
                : current.Declaration is { } declared ? declared.GetTrailingTrivia()
                : current.CatchKeyword.TrailingTrivia;
            var withFilter = current.Declaration is { } declaration
                ? current.WithDeclaration(declaration.WithTrailingTrivia(SyntaxFactory.Space))
                : current.WithCatchKeyword(current.CatchKeyword.WithTrailingTrivia(SyntaxFactory.Space));
            withFilter = current.Filter is null ? withFilter : withFilter.WithDeclaration(current.Declaration);
            return withFilter.WithFilter(filter.WithTrailingTrivia(trailing));
        });

        var counter = SyntaxFactory.ParseStatement($"var {name} = 0;")
            .WithLeadingTrivia(loop.GetLeadingTrivia())
            .WithTrailingTrivia(SyntaxFactory.ElasticLineFeed)
            .WithAdditionalAnnotations(Formatter.Annotation);
        var index = block.Statements.IndexOf(loop);
        var statements = block.Statements.Replace(loop, newLoop).Insert(index, counter);
        return document.WithSyntaxRoot(root.ReplaceNode(block, block.WithStatements(statements)));
    }

    private static ExpressionSyntax Parenthesize(ExpressionSyntax expression)
        => expression is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalOrExpression } or ConditionalExpressionSyntax or AssignmentExpressionSyntax
            ? SyntaxFactory.ParenthesizedExpression(expression.WithoutTrivia())
            : expression.WithoutTrivia();
}
