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
using Sluice.Analyzers;
using Sluice.Analyzers.Infrastructure;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Reliability;

/// <summary>
/// Fixes SLU304 by adding <c>.AddTimeout(TimeSpan.FromSeconds(n))</c> right after <c>AddRetry(...)</c>, so the timeout
/// sits inside the retry and bounds each attempt. A chain written one call per line gets the new call on its own line.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RetryWithoutAttemptTimeoutCodeFix))]
[Shared]
public sealed class RetryWithoutAttemptTimeoutCodeFix : CodeFixProvider
{
    internal const string AddTimeoutKey = RuleIds.RetryWithoutAttemptTimeout + ".AddTimeout";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.RetryWithoutAttemptTimeout);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (!DiagnosticProperties.TryGetSeconds(diagnostic, out var seconds)
            || root?.FindNode(context.Span, getInnermostNodeForTie: true) is not InvocationExpressionSyntax retry)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                $"Add a {seconds.ToString(CultureInfo.InvariantCulture)} s timeout after the retry",
                token => AddTimeoutAsync(context.Document, (CompilationUnitSyntax)root, retry, seconds, token),
                AddTimeoutKey),
            diagnostic);
    }

    private static async Task<Document> AddTimeoutAsync(Document document, CompilationUnitSyntax root, InvocationExpressionSyntax retry, int seconds, CancellationToken cancellationToken)
    {
        var dot = SyntaxFactory.Token(SyntaxKind.DotToken);

        // builder⏎    .AddRetry(...)  →  the new call goes on its own line with the same indentation.
        if (retry.Expression is MemberAccessExpressionSyntax { OperatorToken: var retryDot }
            && retryDot.GetPreviousToken().TrailingTrivia.LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: not 0 } endOfLine)
        {
            dot = dot.WithLeadingTrivia(retryDot.LeadingTrivia.Insert(0, endOfLine));
        }

        var withTimeout = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, retry.WithoutTrailingTrivia(), dot, SyntaxFactory.IdentifierName("AddTimeout")),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(TimeoutSyntax.FromSeconds(seconds)))))
            .WithTrailingTrivia(retry.GetTrailingTrivia());
        var newRoot = root.ReplaceNode(retry, withTimeout);

        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model is not null && !UsingDirectives.IsImported(model, retry.SpanStart, "Polly"))
        {
            newRoot = UsingDirectives.Add(newRoot, "Polly");
        }

        return document.WithSyntaxRoot(newRoot);
    }
}
