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
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;
using Sluice.Contract;

namespace Sluice.CodeFixes.Memory;

/// <summary>
/// Fixes SLU108 with the Sluice runtime: the loop runs over <c>source.InBatches(n)</c>, and after each batch the context
/// is saved (the same call as the SaveChanges after the loop) and its change tracker cleared:
/// <code>
/// await foreach (var batch in source.InBatches(1000))
/// {
///     foreach (var item in batch) { body }
///     await db.SaveChangesAsync(ct);
///     db.ChangeTracker.Clear();
/// }
/// await db.SaveChangesAsync(ct);   // kept: saves what was tracked before the loop when the source is empty
/// </code>
/// Offered for a <c>foreach</c> whose next statement is that SaveChanges (as a statement, its result unused), whose body
/// leaves the loop only by finishing an item (no break, return, goto or yield), and whose source is not read through the
/// same context (a save while its query is open would fail). A source of unknown origin that is an IQueryable might be,
/// so it gets no fix. Query and async-stream sources need an <c>await foreach</c>, so an async method.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnitOfWorkGrowsCodeFix))]
[Shared]
public sealed class UnitOfWorkGrowsCodeFix : CodeFixProvider
{
    internal const string InBatchesKey = RuleIds.UnitOfWorkGrows + ".InBatches";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.UnitOfWorkGrows);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is not CompilationUnitSyntax unit || model is null
            || diagnostic.AdditionalLocations.Count == 0
            || root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan, getInnermostNodeForTie: true) is not ForEachStatementSyntax loop
            || !int.TryParse(diagnostic.Properties.TryGetValue(UnitOfWorkGrowsAnalyzer.BatchSizeProperty, out var text) ? text : null, NumberStyles.Integer, CultureInfo.InvariantCulture, out var size)
            || Rewrite(unit, model, loop, size, context.CancellationToken) is not { } newRoot)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                $"Save and clear the change tracker every {size.ToString(CultureInfo.InvariantCulture)} items (InBatches)",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(newRoot)),
                InBatchesKey),
            diagnostic);
    }

    private static CompilationUnitSyntax? Rewrite(CompilationUnitSyntax root, SemanticModel model, ForEachStatementSyntax loop, int size, CancellationToken cancellationToken)
    {
        var compilation = model.Compilation;
        if (KnownTypes.Of(compilation).SluiceBatchingExtensions is null
            || EfTracking.TryCreate(KnownTypes.Of(compilation)) is not { } ef
            || model.GetOperation(loop, cancellationToken) is not IForEachLoopOperation operation
            || loop.Parent is not BlockSyntax block
            || LeavesEarly(loop))
        {
            return null;
        }

        var index = block.Statements.IndexOf(loop);
        if (index + 1 >= block.Statements.Count
            || block.Statements[index + 1] is not ExpressionStatementSyntax save)
        {
            return null;
        }

        var (dbContext, dbContextSymbol) = SaveTarget(model, save, ef, cancellationToken);
        if (dbContext is null
            || dbContextSymbol is null
            || operation.Body.Descendants().OfType<IInvocationOperation>()
                .Any(call => ef.IsTrackingCall(call) && !SymbolEqualityComparer.Default.Equals(ef.ContextOf(call), dbContextSymbol)))
        {
            return null;
        }

        var streams = new StreamedSources(KnownTypes.Of(compilation));
        var source = StreamedSources.SourceOf(operation);
        if (source != operation.Collection.WalkDownConversion()
            || !SourceIsIndependentOf(source, dbContextSymbol, ef, streams)
            || streams.IsDapperQuery(source))
        {
            // WithCancellation/ConfigureAwait cannot be carried over to InBatches; the same context cannot save mid-query;
            // an unbuffered Dapper query holds its connection open, which the context may share.
            return null;
        }

        var batchesAsync = streams.IsQueryable(source.Type) || streams.IsAsyncEnumerable(source.Type);
        if (batchesAsync && !AsyncContext.CanAwait(loop))
        {
            return null;
        }

        var batch = LocalNames.Unique(model, loop, "batch");
        var sourceExpression = loop.Expression.WithoutTrivia();
        if (sourceExpression is not (IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax))
        {
            sourceExpression = SyntaxFactory.ParenthesizedExpression(sourceExpression);
        }

        var batches = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, sourceExpression, SyntaxFactory.IdentifierName(RuntimeContract.Batching.InBatches)),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(
                SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(size))))));
        var inner = loop
            .WithAwaitKeyword(default)
            .WithExpression(SyntaxFactory.IdentifierName(batch))
            .WithoutLeadingTrivia()
            .WithTrailingTrivia(SyntaxFactory.ElasticLineFeed);
        var clear = SyntaxFactory.ParseStatement($"{dbContext}.ChangeTracker.Clear();");
        var outer = SyntaxFactory.ForEachStatement(
                SyntaxFactory.IdentifierName("var"),
                SyntaxFactory.Identifier(batch),
                batches,
                SyntaxFactory.Block(inner, save.WithoutTrivia().WithTrailingTrivia(SyntaxFactory.ElasticLineFeed), clear.WithTrailingTrivia(SyntaxFactory.ElasticLineFeed)))
            .WithAwaitKeyword(batchesAsync ? SyntaxFactory.Token(SyntaxKind.AwaitKeyword) : default)
            .WithLeadingTrivia(loop.GetLeadingTrivia())
            .WithTrailingTrivia(loop.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);

        var newRoot = root.ReplaceNode(loop, outer);
        return UsingDirectives.IsImported(model, loop.SpanStart, RuntimeContract.Namespace) ? newRoot : UsingDirectives.Add(newRoot, RuntimeContract.Namespace);
    }

    /// <summary>
    /// The context expression (as written) when <paramref name="save"/> is <c>db.SaveChanges(...)</c> or
    /// <c>await db.SaveChangesAsync(...)</c> with its result unused.
    /// </summary>
    private static (string? Text, ISymbol? Symbol) SaveTarget(SemanticModel model, ExpressionStatementSyntax save, EfTracking ef, CancellationToken cancellationToken)
    {
        var expression = save.Expression is AwaitExpressionSyntax awaited ? awaited.Expression : save.Expression;
        return expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: var receiver } }
            && model.GetOperation(expression, cancellationToken) is IInvocationOperation { TargetMethod.Name: "SaveChanges" or "SaveChangesAsync" } call
            && ef.IsDbContext(call.TargetMethod.ContainingType)
            && EfTracking.Variable(call.Instance) is { } symbol
                ? (receiver.WithoutTrivia().ToString(), symbol)
                : (null, null);
    }

    /// <summary>
    /// True when the body can leave the loop other than by finishing an item: a break of this loop (inside batches it
    /// would only leave the batch), or a return, goto or yield (which would skip or split the saves).
    /// </summary>
    private static bool LeavesEarly(ForEachStatementSyntax loop)
    {
        foreach (var node in loop.Statement.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            switch (node)
            {
                case ReturnStatementSyntax or GotoStatementSyntax or YieldStatementSyntax:
                    return true;
                case BreakStatementSyntax:
                    var owner = node.Ancestors().First(a => a is SwitchSectionSyntax or CommonForEachStatementSyntax or ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax);
                    if (owner == loop)
                    {
                        return true;
                    }

                    break;
            }
        }

        return false;
    }

    /// <summary>
    /// The source does not read through the context that is saved: its expression never names that context, and a query
    /// (IQueryable) must visibly come from another context (a query handed in might be on the same one).
    /// </summary>
    private static bool SourceIsIndependentOf(IOperation source, ISymbol dbContext, EfTracking ef, StreamedSources streams)
    {
        var root = source;
        while (true)
        {
            var next = root switch
            {
                IInvocationOperation call => call.Instance ?? (call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 ? call.Arguments[0].Value : null),
                IPropertyReferenceOperation property => property.Instance,
                _ => null,
            };
            if (next is null)
            {
                break;
            }

            root = next.WalkDownConversion();
        }

        if (ef.IsDbContext(root.Type))
        {
            return EfTracking.Variable(root) is { } other && !SymbolEqualityComparer.Default.Equals(other, dbContext);
        }

        return !streams.IsQueryable(source.Type)
            && !source.DescendantsAndSelf().Any(operation => SymbolEqualityComparer.Default.Equals(EfTracking.Variable(operation), dbContext));
    }
}
