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
using Sluice.Analyzers.Concurrency;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Concurrency;

/// <summary>
/// Fixes SLU501 where the results are not used (<c>await Task.WhenAll(...);</c> as a statement): the fan-out becomes
/// <c>await Parallel.ForEachAsync(source, new ParallelOptions { MaxDegreeOfParallelism = n, CancellationToken = token },
/// async (x, ct) =&gt; await WorkAsync(x));</c>. The body keeps the token it used; the options get the token in scope so
/// a cancellation also stops starting new items. A local holding the tasks is removed when it is declared by the
/// statement right before the await and used only there. Where results are used there is no fix: neither
/// Parallel.ForEachAsync nor the runtime's pipeline returns per-record results in input order.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedFanOutCodeFix))]
[Shared]
public sealed class UnboundedFanOutCodeFix : CodeFixProvider
{
    internal const string ParallelForEachKey = RuleIds.UnboundedFanOut + ".ParallelForEachAsync";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.UnboundedFanOut);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true) is not InvocationExpressionSyntax whenAll
            || model is null
            || !TryGetDegree(diagnostic, out var degree)
            || Rewrite(root, model, whenAll, degree, context.CancellationToken) is null)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                $"Run with Parallel.ForEachAsync, at most {degree.ToString(CultureInfo.InvariantCulture)} at a time",
                async token => await ApplyAsync(context.Document, whenAll, ParallelForEachKey, token).ConfigureAwait(false) ?? context.Document,
                ParallelForEachKey),
            diagnostic);
    }

    private static bool TryGetDegree(Diagnostic diagnostic, out int degree)
        => int.TryParse(
            diagnostic.Properties.TryGetValue(UnboundedFanOutAnalyzer.MaxDegreeOfParallelismProperty, out var text) ? text : null,
            NumberStyles.Integer,
            CultureInfo.InvariantCulture,
            out degree);

    private static async Task<Document?> ApplyAsync(Document document, InvocationExpressionSyntax whenAll, string? key, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return null;
        }

        // Fix All hands over the node only, so the degree is read from the options here, as the analyzer read it.
        var degree = UnboundedFanOutAnalyzer.MaxDegreeOfParallelism.Read(document.Project.AnalyzerOptions, whenAll.SyntaxTree);
        return Rewrite(root, model, whenAll, degree, cancellationToken) is { } newRoot ? document.WithSyntaxRoot(newRoot) : null;
    }

    /// <summary>The root with the fan-out rewritten, or null when the shape has no safe rewrite.</summary>
    private static SyntaxNode? Rewrite(SyntaxNode root, SemanticModel model, InvocationExpressionSyntax whenAll, int degree, CancellationToken cancellationToken)
    {
        if (KnownTypes.Of(model.Compilation) is not { Task: not null, Enumerable: not null } types
            || model.GetOperation(whenAll, cancellationToken) is not IInvocationOperation operation
            || FanOut.Find(operation, types) is not { } fanOut
            || DiscardingStatement(whenAll) is not { } statement
            || types.Parallel is not { } parallel
            || parallel.GetMembers("ForEachAsync").IsEmpty
            || fanOut.Select.Syntax is not InvocationExpressionSyntax select)
        {
            return null;
        }

        // The local that holds the tasks goes away, so it must be declared right before the await and used only there.
        LocalDeclarationStatementSyntax? tasksDeclaration = null;
        if (fanOut.TasksLocal is { } tasksLocal)
        {
            tasksDeclaration = tasksLocal.Syntax.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>();
            if (tasksDeclaration is not { Declaration.Variables.Count: 1 }
                || statement.Parent is not BlockSyntax block
                || block.Statements.IndexOf(statement) < 1
                || block.Statements[block.Statements.IndexOf(statement) - 1] != tasksDeclaration
                || CountReferences(operation.Root(), tasksLocal.Symbol) != 1)
            {
                return null;
            }
        }

        var source = select.ArgumentList.Arguments.Count == 2
            ? select.ArgumentList.Arguments[0].Expression
            : (select.Expression as MemberAccessExpressionSyntax)?.Expression;
        var ctName = LocalNames.Unique(model, statement, "ct");
        if (source is null || Body(fanOut, model, ctName, statement) is not { } body)
        {
            return null;
        }

        var token = TokenFor(model, fanOut, statement.SpanStart);
        var forEach = SyntaxFactory.InvocationExpression(
                FullNames.Member("System.Threading.Tasks.Parallel", "ForEachAsync"),
                SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(
                [
                    SyntaxFactory.Argument(source.WithoutTrivia()),
                    SyntaxFactory.Argument(Options(degree, token)),
                    SyntaxFactory.Argument(body),
                ])))
            .WithTriviaFrom(whenAll);

        var bound = model.GetSpeculativeSymbolInfo(whenAll.SpanStart, forEach, SpeculativeBindingOption.BindAsExpression).Symbol as IMethodSymbol;
        if (bound is null || bound.Name != "ForEachAsync" || !SymbolEqualityComparer.Default.Equals(bound.ContainingType, parallel))
        {
            return null;
        }

        var newStatement = statement.ReplaceNode(whenAll, forEach.WithAdditionalAnnotations(Formatter.Annotation));
        if (tasksDeclaration is null)
        {
            return root.ReplaceNode(statement, newStatement);
        }

        // The comments above the removed declaration stay, above the new statement.
        newStatement = newStatement.WithLeadingTrivia(tasksDeclaration.GetLeadingTrivia());
        var blockNode = (BlockSyntax)statement.Parent!;
        var index = blockNode.Statements.IndexOf(statement);
        var statements = blockNode.Statements.RemoveAt(index).RemoveAt(index - 1).Insert(index - 1, newStatement);
        return root.ReplaceNode(blockNode, blockNode.WithStatements(statements));
    }

    /// <summary>The <c>await Task.WhenAll(...);</c> statement (ConfigureAwait allowed) whose result is discarded.</summary>
    private static ExpressionStatementSyntax? DiscardingStatement(InvocationExpressionSyntax whenAll)
    {
        ExpressionSyntax awaited = whenAll;
        if (whenAll.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } member
            && member.Expression == whenAll
            && member.Parent is InvocationExpressionSyntax configureAwait)
        {
            awaited = configureAwait;
        }

        return awaited.Parent is AwaitExpressionSyntax { Parent: ExpressionStatementSyntax statement } ? statement : null;
    }

    private static int CountReferences(IOperation root, ILocalSymbol local)
        => root.Descendants().Count(o => o is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local));

    /// <summary>
    /// The body of the ForEachAsync: <c>async (x, ct) =&gt; ...</c>. An async selector keeps its body; a lambda that returns a
    /// call's task awaits it; a method group is called. Null for what has no faithful form (an index parameter, a block
    /// that returns values or returns tasks without being async, an anonymous method).
    /// </summary>
    private static ParenthesizedLambdaExpressionSyntax? Body(FanOut fanOut, SemanticModel model, string ctName, StatementSyntax statement)
    {
        var ctParameter = SyntaxFactory.Parameter(SyntaxFactory.Identifier(ctName));
        switch (fanOut.Selector)
        {
            case IMethodReferenceOperation { Syntax: ExpressionSyntax methodGroup }:
            {
                var item = LocalNames.Unique(model, statement, "item");
                var call = SyntaxFactory.InvocationExpression(
                    methodGroup.WithoutTrivia(),
                    SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(SyntaxFactory.IdentifierName(item)))));
                return Lambda(
                    SyntaxFactory.TokenList(),
                    [SyntaxFactory.Parameter(SyntaxFactory.Identifier(item)), ctParameter],
                    SyntaxFactory.AwaitExpression(call));
            }

            case IAnonymousFunctionOperation { Symbol.Parameters.Length: 1 } function:
            {
                var (modifiers, parameter, block, expression) = function.Syntax switch
                {
                    SimpleLambdaExpressionSyntax simple => (simple.Modifiers, simple.Parameter, simple.Block, simple.ExpressionBody),
                    ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 1 } parenthesized
                        => (parenthesized.Modifiers, parenthesized.ParameterList.Parameters[0], parenthesized.Block, parenthesized.ExpressionBody),
                    _ => default,
                };
                if (parameter is null)
                {
                    return null;
                }

                if (parameter.Type is not null)
                {
                    ctParameter = ctParameter.WithType(FullNames.Type("System.Threading.CancellationToken"));
                }

                var parameters = new[] { parameter.WithoutTrivia(), ctParameter };
                if (function.Symbol.IsAsync)
                {
                    // A ValueTask body cannot return a value.
                    if (function.Body.OwnDescendants().Any(o => o is IReturnOperation { ReturnedValue: not null, IsImplicit: false }))
                    {
                        return null;
                    }

                    return Lambda(modifiers, parameters, (CSharpSyntaxNode?)block ?? expression!);
                }

                if (expression is null)
                {
                    return null;
                }

                return Lambda(
                    modifiers.Add(SyntaxFactory.Token(SyntaxKind.AsyncKeyword)),
                    parameters,
                    SyntaxFactory.AwaitExpression(Parenthesized(expression.WithoutTrivia())));
            }

            default:
                return null;
        }
    }

    private static ParenthesizedLambdaExpressionSyntax Lambda(SyntaxTokenList modifiers, ParameterSyntax[] parameters, CSharpSyntaxNode body)
    {
        if (!modifiers.Any(SyntaxKind.AsyncKeyword))
        {
            modifiers = modifiers.Add(SyntaxFactory.Token(SyntaxKind.AsyncKeyword));
        }

        modifiers = SyntaxFactory.TokenList(modifiers.Select(m => m.WithoutTrivia().WithTrailingTrivia(SyntaxFactory.Space)));
        return SyntaxFactory.ParenthesizedLambdaExpression(
            modifiers,
            SyntaxFactory.ParameterList(SyntaxFactory.SeparatedList(parameters)),
            SyntaxFactory.Token(SyntaxKind.EqualsGreaterThanToken),
            body as BlockSyntax,
            body as ExpressionSyntax);
    }

    private static ExpressionSyntax Parenthesized(ExpressionSyntax expression)
        => expression is InvocationExpressionSyntax or IdentifierNameSyntax or MemberAccessExpressionSyntax or ElementAccessExpressionSyntax or ParenthesizedExpressionSyntax
            ? expression
            : SyntaxFactory.ParenthesizedExpression(expression);

    /// <summary>
    /// The token for the options: the outer token the selector already uses, else the nearest one in scope, else none.
    /// </summary>
    private static string? TokenFor(SemanticModel model, FanOut fanOut, int position)
    {
        var tokenType = KnownTypes.Of(model.Compilation).CancellationToken;
        if (tokenType is null)
        {
            return null;
        }

        bool IsToken(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type, tokenType);
        var function = fanOut.Selector as IAnonymousFunctionOperation;
        var used = fanOut.Selector?.Descendants()
            .Select(o => o switch
            {
                IParameterReferenceOperation p when IsToken(p.Type) && !SymbolEqualityComparer.Default.Equals(p.Parameter.ContainingSymbol, function?.Symbol) => (ISymbol)p.Parameter,
                ILocalReferenceOperation l when IsToken(l.Type) && l.Local.DeclaringSyntaxReferences.All(r => r.Span.End <= position) => l.Local,
                _ => null,
            })
            .FirstOrDefault(s => s is not null);
        return (used ?? SymbolsInScope.FindUsable(model, position, IsToken))?.Name;
    }

    private static ObjectCreationExpressionSyntax Options(int degree, string? token)
    {
        var assignments = SyntaxFactory.SeparatedList<ExpressionSyntax>(
        [
            SyntaxFactory.AssignmentExpression(
                SyntaxKind.SimpleAssignmentExpression,
                SyntaxFactory.IdentifierName("MaxDegreeOfParallelism"),
                SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(degree))),
        ]);
        if (token is not null)
        {
            assignments = assignments.Add(SyntaxFactory.AssignmentExpression(
                SyntaxKind.SimpleAssignmentExpression,
                SyntaxFactory.IdentifierName("CancellationToken"),
                SyntaxFactory.IdentifierName(token)));
        }

        return SyntaxFactory.ObjectCreationExpression(
            FullNames.Type("System.Threading.Tasks.ParallelOptions"),
            argumentList: null,
            SyntaxFactory.InitializerExpression(SyntaxKind.ObjectInitializerExpression, assignments));
    }
}
