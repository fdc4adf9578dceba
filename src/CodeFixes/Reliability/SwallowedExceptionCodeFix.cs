using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Sluice.Analyzers;
using Sluice.Analyzers.Infrastructure;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Reliability;

/// <summary>
/// Fixes SLU201 by making the failure observable again, offered in this order (<c>dotnet format</c> applies the first):
/// <list type="number">
/// <item>with the Sluice runtime referenced and the catch inside a <c>foreach</c> over records: dead-letter the record
/// with the exception (to the <c>IDeadLetterSink</c> in scope, or to a new sink field), and go on with the next record;</item>
/// <item>rethrow it (<c>throw;</c>);</item>
/// <item>when an <c>ILogger</c> is in scope: log the exception object and rethrow.</item>
/// </list>
/// Exits that dropped the failure (<c>return</c>, <c>continue</c>, <c>break</c> out of the catch) become <c>throw;</c>
/// in the rethrowing fixes.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SwallowedExceptionCodeFix))]
[Shared]
public sealed class SwallowedExceptionCodeFix : CodeFixProvider
{
    internal const string DeadLetterKey = RuleIds.SwallowedException + ".DeadLetter";
    internal const string RethrowKey = RuleIds.SwallowedException + ".Rethrow";
    internal const string LogAndRethrowKey = RuleIds.SwallowedException + ".LogAndRethrow";

    private const string LoggingNamespace = "Microsoft.Extensions.Logging";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.SwallowedException);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model is null || root?.FindNode(context.Span).FirstAncestorOrSelf<CatchClauseSyntax>() is not { } catchClause)
        {
            return;
        }

        var diagnostic = context.Diagnostics[0];
        CatchRewrites.RegisterDeadLetter(context, model, catchClause, DeadLetterKey);

        context.RegisterCodeFix(
            CodeAction.Create("Rethrow the exception (throw;)", token => RethrowAsync(context.Document, catchClause, logger: null, token), RethrowKey),
            diagnostic);

        if (FindLogger(model, catchClause) is { } logger)
        {
            context.RegisterCodeFix(
                CodeAction.Create($"Log the exception with '{logger.Name}' and rethrow", token => RethrowAsync(context.Document, catchClause, logger, token), LogAndRethrowKey),
                diagnostic);
        }
    }

    /// <summary>Rethrows, after logging the exception object with <paramref name="logger"/> when one is given.</summary>
    internal static async Task<Document> RethrowAsync(Document document, CatchClauseSyntax catchClause, ISymbol? logger, CancellationToken cancellationToken)
    {
        var root = (CompilationUnitSyntax)(await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var model = (await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false))!;

        var newCatch = catchClause;
        StatementSyntax[] prefix = [];
        if (logger is not null)
        {
            (newCatch, var exception) = CatchRewrites.WithNamedException(model, catchClause);
            var message = $"{CatchRewrites.EnclosingMemberName(model, catchClause)} failed";
            prefix = [CatchRewrites.Statement($"{logger.Name}.LogError({exception}, \"{message}\");")];
        }

        var newRoot = root.ReplaceNode(catchClause, newCatch.WithBlock(CatchRewrites.Rethrowing(model, catchClause.Block, prefix)));
        if (logger is not null && !UsingDirectives.IsImported(model, catchClause.SpanStart, LoggingNamespace))
        {
            newRoot = UsingDirectives.Add(newRoot, LoggingNamespace);
        }

        return document.WithSyntaxRoot(newRoot);
    }

    /// <summary>An <c>ILogger</c> (or <c>ILogger&lt;T&gt;</c>) parameter, local, field or property usable inside the catch.</summary>
    internal static ISymbol? FindLogger(SemanticModel model, CatchClauseSyntax catchClause)
    {
        var types = KnownTypes.Of(model.Compilation);
        var iLogger = types.Logger;
        if (iLogger is null || types.LoggerExtensions is null)
        {
            return null;
        }

        return SymbolsInScope.FindUsable(
            model,
            catchClause.Block.SpanStart,
            type => SymbolEqualityComparer.Default.Equals(type, iLogger) || type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, iLogger)));
    }
}
