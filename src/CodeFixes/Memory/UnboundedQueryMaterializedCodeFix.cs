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
using Sluice.CodeFixes.Infrastructure;
using Sluice.Contract;

namespace Sluice.CodeFixes.Memory;

/// <summary>
/// Fixes SLU101 where the materialized list is only iterated once, by a <c>foreach</c> — directly, or through a local
/// declared just before the loop and used nowhere else. In order:
/// <list type="number">
/// <item>stream the rows: <c>await foreach (var x in query.AsAsyncEnumerable().WithCancellation(token))</c> for
/// <c>ToListAsync</c>/<c>ToArrayAsync</c>, <c>foreach (var x in query.AsEnumerable())</c> for <c>ToList</c>/<c>ToArray</c>;</item>
/// <item>with the Sluice runtime, where the code can await: <c>await foreach (var batch in query.InBatches(n))</c> around the
/// unchanged loop.</item>
/// </list>
/// Order and the cancellation token are kept. Not offered when the list escapes (returned, stored, indexed, counted),
/// for ToDictionary/ToHashSet/ToLookup (iterating them is not iterating the rows), when the loop's body uses a
/// DbContext or DbSet (the streaming query keeps the connection busy until the loop ends), or for the batches when the
/// body breaks out of the loop.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedQueryMaterializedCodeFix))]
[Shared]
public sealed class UnboundedQueryMaterializedCodeFix : CodeFixProvider
{
    internal const string StreamKey = RuleIds.UnboundedQueryMaterialized + ".Stream";
    internal const string InBatchesKey = RuleIds.UnboundedQueryMaterialized + ".InBatches";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.UnboundedQueryMaterialized);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true) is not InvocationExpressionSyntax invocation)
        {
            return;
        }

        var name = diagnostic.Properties.TryGetValue(UnboundedQueryMaterializedAnalyzer.SourceNameProperty, out var source) ? source : "the query";
        foreach (var (key, title) in new[]
        {
            (StreamKey, $"Stream '{name}' instead of loading it whole"),
            (InBatchesKey, $"Process '{name}' in batches of {BatchSize(diagnostic).ToString(CultureInfo.InvariantCulture)} with InBatches"),
        })
        {
            if (await FixAsync(context.Document, invocation, diagnostic, key, context.CancellationToken).ConfigureAwait(false) is { } fixedDocument)
            {
                context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(fixedDocument), key), diagnostic);
            }
        }
    }

    private static async Task<Document?> FixAsync(Document document, InvocationExpressionSyntax invocation, Diagnostic diagnostic, string? key, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is not CompilationUnitSyntax unit
            || model?.GetOperation(invocation, cancellationToken) is not IInvocationOperation call
            || invocation.Expression is not MemberAccessExpressionSyntax { Expression: var query }
            || call.TargetMethod.Name is not ("ToList" or "ToArray" or "ToListAsync" or "ToArrayAsync"))
        {
            return null;
        }

        var isAsync = call.TargetMethod.Name.EndsWith("Async", System.StringComparison.Ordinal);
        ExpressionSyntax value = invocation;
        ArgumentListSyntax? configureAwait = null;
        if (isAsync)
        {
            // await q.ToListAsync(ct)  or  await q.ToListAsync(ct).ConfigureAwait(false)
            if (invocation.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax configured } access
                && access.Expression == invocation)
            {
                configureAwait = configured.ArgumentList;
                value = configured;
            }

            if (value.Parent is not AwaitExpressionSyntax awaited)
            {
                return null;
            }

            value = awaited;
        }

        if (StreamingLoop.Find(model, value, cancellationToken) is not { } loop || UsesDatabase(model, loop.Loop.Statement, cancellationToken))
        {
            return null;
        }

        var token = Token(call);
        var awaitable = isAsync || (key == InBatchesKey && AsyncContext.CanAwait(invocation));
        ExpressionSyntax stream;
        StatementSyntax replacement;
        string[] namespaces;
        if (key == InBatchesKey)
        {
            if (!awaitable || loop.BreaksOut()
                || KnownTypes.Of(model.Compilation).SluiceBatchingExtensions is null)
            {
                return null;
            }

            var batch = LocalNames.Unique(model, loop.Loop, "batch");
            stream = Cancellable(Call(query, RuntimeContract.Batching.InBatches, SyntaxFactory.Argument(NumberLiteral(BatchSize(diagnostic)))), token, configureAwait);
            replacement = loop.InBatches(stream, batch);
            namespaces = [RuntimeContract.Namespace, "System.Threading.Tasks"];
        }
        else
        {
            stream = isAsync
                ? Cancellable(Call(query, "AsAsyncEnumerable"), token, configureAwait)
                : Call(query, "AsEnumerable");
            replacement = loop.Over(stream, isAsync).WithAdditionalAnnotations(Formatter.Annotation);
            namespaces = isAsync ? ["Microsoft.EntityFrameworkCore", "System.Threading.Tasks"] : ["System.Linq"];
        }

        var newRoot = (CompilationUnitSyntax)loop.ReplaceIn(unit, replacement);
        var needsTasks = token is not null || configureAwait is not null;
        foreach (var ns in namespaces)
        {
            if ((ns != "System.Threading.Tasks" || needsTasks) && !UsingDirectives.IsImported(model, invocation.SpanStart, ns))
            {
                newRoot = UsingDirectives.Add(newRoot, ns);
            }
        }

        return document.WithSyntaxRoot(newRoot);
    }

    private static int BatchSize(Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(UnboundedQueryMaterializedAnalyzer.BatchSizeProperty, out var text)
            && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var size)
                ? size
                : UnboundedQueryMaterializedAnalyzer.DefaultBatchSize;

    private static LiteralExpressionSyntax NumberLiteral(int value)
        => SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(value));

    /// <summary>The token passed to the async materializer, unless it is <c>default</c> or <c>CancellationToken.None</c>.</summary>
    private static ExpressionSyntax? Token(IInvocationOperation call)
        => call.Arguments
            .Where(a => a.ArgumentKind == ArgumentKind.Explicit && a.Value.Type is { Name: "CancellationToken" } && a.Syntax is ArgumentSyntax)
            .Where(a => a.Value.WalkDownConversion() is not (IDefaultValueOperation or IPropertyReferenceOperation { Property.Name: "None" }))
            .Select(a => ((ArgumentSyntax)a.Syntax).Expression)
            .FirstOrDefault();

    private static ExpressionSyntax Cancellable(ExpressionSyntax stream, ExpressionSyntax? token, ArgumentListSyntax? configureAwait)
    {
        if (token is not null)
        {
            stream = Call(stream, "WithCancellation", SyntaxFactory.Argument(token.WithoutTrivia()));
        }

        return configureAwait is null
            ? stream
            : SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, stream, SyntaxFactory.IdentifierName("ConfigureAwait")),
                configureAwait.WithoutTrivia());
    }

    private static InvocationExpressionSyntax Call(ExpressionSyntax receiver, string method, params ArgumentSyntax[] arguments)
        => SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver.WithoutTrailingTrivia(), SyntaxFactory.IdentifierName(method)),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments)));

    /// <summary>
    /// The loop's body uses a DbContext or DbSet: while the rows stream, the query holds the connection, and EF Core
    /// refuses a second operation on the same context (as do providers without multiple active result sets).
    /// </summary>
    private static bool UsesDatabase(SemanticModel model, StatementSyntax body, CancellationToken cancellationToken)
    {
        var dbContext = KnownTypes.Of(model.Compilation).DbContext;
        var dbSet = KnownTypes.Of(model.Compilation).DbSet;
        foreach (var expression in body.DescendantNodes().OfType<ExpressionSyntax>())
        {
            var type = model.GetTypeInfo(expression, cancellationToken).Type;
            if (TypeSymbols.BaseOrSelf(type, dbContext) is not null || TypeSymbols.BaseOrSelf(type, dbSet) is not null)
            {
                return true;
            }
        }

        return false;
    }
}
