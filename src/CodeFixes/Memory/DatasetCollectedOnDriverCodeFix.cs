using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Memory;

/// <summary>
/// Fixes SLU106 with <c>ToLocalIterator()</c> in place of <c>Collect()</c> when the rows are gone through once — by a
/// <c>foreach</c> or a LINQ query that streams, directly or through a local used once — so the driver holds one partition
/// at a time. Not offered when the rows are indexed, counted, kept or enumerated again: each enumeration of
/// <c>ToLocalIterator()</c> runs the job again.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DatasetCollectedOnDriverCodeFix))]
[Shared]
public sealed class DatasetCollectedOnDriverCodeFix : CodeFixProvider
{
    internal const string ToLocalIteratorKey = RuleIds.DatasetCollectedOnDriver + ".ToLocalIterator";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.DatasetCollectedOnDriver);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true) is InvocationExpressionSyntax invocation
            && await FixAsync(context.Document, invocation, diagnostic, ToLocalIteratorKey, context.CancellationToken).ConfigureAwait(false) is { } fixedDocument)
        {
            context.RegisterCodeFix(
                CodeAction.Create("Iterate the rows with ToLocalIterator()", _ => Task.FromResult(fixedDocument), ToLocalIteratorKey),
                diagnostic);
        }
    }

    private static async Task<Document?> FixAsync(Document document, InvocationExpressionSyntax invocation, Diagnostic diagnostic, string? key, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (key != ToLocalIteratorKey
            || root is null || model is null
            || invocation.Expression is not MemberAccessExpressionSyntax access
            || model.GetOperation(invocation, cancellationToken) is not IInvocationOperation call
            || call.TargetMethod.ContainingType.GetMembers("ToLocalIterator").IsEmpty
            || LineByLine.Classify(call) == LineByLineUse.None)
        {
            return null;
        }

        var renamed = invocation.WithExpression(access.WithName(SyntaxFactory.IdentifierName("ToLocalIterator").WithTriviaFrom(access.Name)));
        return document.WithSyntaxRoot(root.ReplaceNode(invocation, renamed));
    }
}
