using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using Sluice.Analyzers;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Reliability;

/// <summary>
/// Fixes SLU201 by making the failure observable again: rethrow it (<c>throw;</c>, offered first so
/// <c>dotnet format</c> applies it), or, when an <c>ILogger</c> is in scope, log the exception object and rethrow.
/// Exits that dropped the failure (<c>return</c>, <c>continue</c>, <c>break</c> out of the catch) become <c>throw;</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SwallowedExceptionCodeFix))]
[Shared]
public sealed class SwallowedExceptionCodeFix : CodeFixProvider
{
    internal const string RethrowKey = RuleIds.SwallowedException + ".Rethrow";
    internal const string LogAndRethrowKey = RuleIds.SwallowedException + ".LogAndRethrow";

    private const string LoggingNamespace = "Microsoft.Extensions.Logging";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.SwallowedException);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span).FirstAncestorOrSelf<CatchClauseSyntax>() is not { } catchClause)
        {
            return;
        }

        var diagnostic = context.Diagnostics[0];
        context.RegisterCodeFix(
            CodeAction.Create(
                "Rethrow the exception (throw;)",
                token => RewriteAsync(context.Document, catchClause, logger: null, token),
                RethrowKey),
            diagnostic);

        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model is not null && FindLogger(model, catchClause) is { } logger)
        {
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Log the exception with '{logger.Name}' and rethrow",
                    token => RewriteAsync(context.Document, catchClause, logger, token),
                    LogAndRethrowKey),
                diagnostic);
        }
    }

    private static async Task<Document> RewriteAsync(Document document, CatchClauseSyntax catchClause, ISymbol? logger, CancellationToken cancellationToken)
    {
        var root = (CompilationUnitSyntax)(await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var model = (await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false))!;
        var block = catchClause.Block;

        var statements = new List<StatementSyntax>();
        var newCatch = catchClause;
        if (logger is not null)
        {
            var (declaration, exceptionName) = EnsureExceptionVariable(model, catchClause);
            if (catchClause.Declaration is null)
            {
                // 'catch' keeps its line break after the new declaration: catch (Exception ex)⏎{
                declaration = declaration.WithTrailingTrivia(catchClause.CatchKeyword.TrailingTrivia);
                newCatch = newCatch.WithCatchKeyword(catchClause.CatchKeyword.WithTrailingTrivia(SyntaxFactory.Space));
            }

            newCatch = newCatch.WithDeclaration(declaration);
            var message = $"{EnclosingMemberName(model, catchClause)} failed";
            statements.Add(SyntaxFactory.ParseStatement($"{logger.Name}.LogError({exceptionName}, \"{message}\");")
                .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
                .WithTrailingTrivia(SyntaxFactory.ElasticMarker)
                .WithAdditionalAnnotations(Formatter.Annotation));
        }

        var exits = DroppingExits(block);
        var rewrittenBlock = block.ReplaceNodes(exits, (original, _) => Rethrow().WithTriviaFrom(original));
        statements.AddRange(rewrittenBlock.Statements);
        if (EndIsReachable(model, block))
        {
            statements.Add(Rethrow());
        }

        newCatch = newCatch.WithBlock(rewrittenBlock.WithStatements(SyntaxFactory.List(statements))
            .WithAdditionalAnnotations(Formatter.Annotation));
        var newRoot = root.ReplaceNode(catchClause, newCatch);

        if (logger is not null && !UsingDirectives.IsImported(model, catchClause.SpanStart, LoggingNamespace))
        {
            newRoot = UsingDirectives.Add(newRoot, LoggingNamespace);
        }

        return document.WithSyntaxRoot(newRoot);
    }

    private static ThrowStatementSyntax Rethrow()
        => SyntaxFactory.ThrowStatement().WithAdditionalAnnotations(Formatter.Annotation);

    private static bool EndIsReachable(SemanticModel model, BlockSyntax block)
        => block.Statements.Count == 0
            || model.AnalyzeControlFlow(block.Statements.First(), block.Statements.Last()) is not { Succeeded: true, EndPointIsReachable: false };

    /// <summary>
    /// The statements that leave the catch and so drop the failure: every <c>return</c> and <c>yield break</c>, and the
    /// <c>break</c>/<c>continue</c> that target a loop or switch outside the catch. Lambdas, local functions and nested
    /// handlers are left alone: their exits belong to other code.
    /// </summary>
    private static List<StatementSyntax> DroppingExits(BlockSyntax block)
    {
        var found = new List<StatementSyntax>();
        Visit(block, insideLoop: false, insideSwitch: false);
        return found;

        void Visit(SyntaxNode node, bool insideLoop, bool insideSwitch)
        {
            foreach (var child in node.ChildNodes())
            {
                switch (child)
                {
                    case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or CatchClauseSyntax or FinallyClauseSyntax:
                        continue;
                    case ReturnStatementSyntax:
                    case YieldStatementSyntax yield when yield.IsKind(SyntaxKind.YieldBreakStatement):
                    case BreakStatementSyntax when !insideLoop && !insideSwitch:
                    case ContinueStatementSyntax when !insideLoop:
                        found.Add((StatementSyntax)child);
                        continue;
                    case ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax:
                        Visit(child, insideLoop: true, insideSwitch);
                        continue;
                    case SwitchStatementSyntax:
                        Visit(child, insideLoop, insideSwitch: true);
                        continue;
                    default:
                        Visit(child, insideLoop, insideSwitch);
                        continue;
                }
            }
        }
    }

    /// <summary>Gives the catch a named exception variable (adding <c>(Exception ex)</c> to a bare <c>catch</c>).</summary>
    private static (CatchDeclarationSyntax Declaration, string Name) EnsureExceptionVariable(SemanticModel model, CatchClauseSyntax catchClause)
    {
        if (catchClause.Declaration is { Identifier.ValueText: { Length: > 0 } existing } declared)
        {
            return (declared, existing);
        }

        var name = UniqueName(model, catchClause, "ex", "exception");
        var type = catchClause.Declaration?.Type
            ?? SyntaxFactory.ParseTypeName("System.Exception").WithAdditionalAnnotations(Simplifier.Annotation);
        var declaration = SyntaxFactory.CatchDeclaration(type, SyntaxFactory.Identifier(name));
        if (catchClause.Declaration is { } typeOnly)
        {
            declaration = declaration.WithTriviaFrom(typeOnly);
        }

        return (declaration, name);
    }

    private static string UniqueName(SemanticModel model, CatchClauseSyntax catchClause, params string[] candidates)
    {
        var declaredInside = new HashSet<string>(catchClause.Block.DescendantTokens()
            .Where(token => token.IsKind(SyntaxKind.IdentifierToken))
            .Select(token => token.ValueText));
        bool IsFree(string name) => !declaredInside.Contains(name) && model.LookupSymbols(catchClause.Block.SpanStart, name: name).IsEmpty;

        foreach (var candidate in candidates)
        {
            if (IsFree(candidate))
            {
                return candidate;
            }
        }

        for (var suffix = 2; ; suffix++)
        {
            if (IsFree(candidates[0] + suffix))
            {
                return candidates[0] + suffix;
            }
        }
    }

    /// <summary>An <c>ILogger</c> (or <c>ILogger&lt;T&gt;</c>) parameter, local, field or property usable inside the catch.</summary>
    private static ISymbol? FindLogger(SemanticModel model, CatchClauseSyntax catchClause)
    {
        var iLogger = model.Compilation.GetTypeByMetadataName(LoggingNamespace + ".ILogger");
        if (iLogger is null || model.Compilation.GetTypeByMetadataName(LoggingNamespace + ".LoggerExtensions") is null)
        {
            return null;
        }

        return SymbolsInScope.FindUsable(
            model,
            catchClause.Block.SpanStart,
            type => SymbolEqualityComparer.Default.Equals(type, iLogger) || type.AllInterfaces.Contains(iLogger, SymbolEqualityComparer.Default));
    }

    private static string EnclosingMemberName(SemanticModel model, SyntaxNode node)
    {
        for (var symbol = model.GetEnclosingSymbol(node.SpanStart); symbol is not null; symbol = symbol.ContainingSymbol)
        {
            switch (symbol)
            {
                case IMethodSymbol { MethodKind: MethodKind.AnonymousFunction }:
                    continue;
                case IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor } constructor:
                    return constructor.ContainingType.Name;
                case IMethodSymbol { AssociatedSymbol: { } property }:
                    return property.Name;
                case IMethodSymbol { Name: "<Main>$" }:
                    return "Program";
                case IMethodSymbol method:
                    return method.Name;
                default:
                    return symbol.Name.Length > 0 ? symbol.Name : "Operation";
            }
        }

        return "Operation";
    }
}
