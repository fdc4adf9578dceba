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
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Simplification;
using Sluice.Analyzers;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Memory;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Memory;

/// <summary>
/// Fixes SLU103 by reading the rows unbuffered: <c>buffered: false</c> for Query, <c>CommandFlags.None</c> for a
/// CommandDefinition, and <c>QueryUnbufferedAsync</c> with <c>await foreach</c> for QueryAsync. An unbuffered result is
/// read while it is enumerated, holds the connection busy meanwhile and runs the query again if enumerated again, so the
/// fix is offered only when the rows are enumerated once, by a <c>foreach</c> directly over the call (or over a local
/// assigned by the statement just before it and used nowhere else), and the loop body does not use the connection.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BufferedDapperQueryCodeFix))]
[Shared]
public sealed class BufferedDapperQueryCodeFix : CodeFixProvider
{
    internal const string BufferedFalseKey = RuleIds.BufferedDapperQuery + ".BufferedFalse";
    internal const string CommandFlagsNoneKey = RuleIds.BufferedDapperQuery + ".CommandFlagsNone";
    internal const string QueryUnbufferedAsyncKey = RuleIds.BufferedDapperQuery + ".QueryUnbufferedAsync";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.BufferedDapperQuery);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.For(this);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null
            || root.FindNode(context.Span, getInnermostNodeForTie: true) is not InvocationExpressionSyntax call
            || !diagnostic.Properties.TryGetValue(BufferedDapperQueryAnalyzer.ShapeProperty, out var shape))
        {
            return;
        }

        var (key, title) = shape switch
        {
            BufferedDapperQueryAnalyzer.BufferedParameterShape => (BufferedFalseKey, "Read the rows unbuffered (buffered: false)"),
            BufferedDapperQueryAnalyzer.CommandDefinitionShape => (CommandFlagsNoneKey, "Read the rows unbuffered (CommandFlags.None)"),
            _ => (QueryUnbufferedAsyncKey, "Stream the rows with QueryUnbufferedAsync and await foreach"),
        };
        if (Rewrite(root, model, call, shape, context.CancellationToken) is { } newRoot)
        {
            context.RegisterCodeFix(
                CodeAction.Create(title, _ => Task.FromResult(context.Document.WithSyntaxRoot(newRoot)), key),
                diagnostic);
        }
    }

    private static SyntaxNode? Rewrite(SyntaxNode root, SemanticModel model, InvocationExpressionSyntax call, string? shape, CancellationToken cancellationToken)
    {
        var isAsync = shape == BufferedDapperQueryAnalyzer.AsyncShape;
        var consumed = call.Parent is AwaitExpressionSyntax awaited ? (ExpressionSyntax)awaited : call;
        if ((isAsync && consumed is not AwaitExpressionSyntax)
            || FindSingleForEach(model, consumed, requireVar: isAsync, cancellationToken) is not { } loop
            || UsesConnection(model, call, loop, cancellationToken))
        {
            return null;
        }

        switch (shape)
        {
            case BufferedDapperQueryAnalyzer.BufferedParameterShape:
                return root.ReplaceNode(call, WithBufferedFalse(model, call, cancellationToken));
            case BufferedDapperQueryAnalyzer.CommandDefinitionShape:
                return WithFlagsNone(model, call, cancellationToken) is { } unbuffered ? root.ReplaceNode(call, unbuffered) : null;
            default:
                if (ToQueryUnbufferedAsync(model, call) is not { } streamed)
                {
                    return null;
                }

                return root.ReplaceNodes(
                    new SyntaxNode[] { consumed, loop },
                    (original, current) => original == consumed
                        ? streamed.WithTriviaFrom(consumed)
                        : ((CommonForEachStatementSyntax)current).WithAwaitKeyword(SyntaxFactory.Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(SyntaxFactory.Space)));
        }
    }

    /// <summary>
    /// The one <c>foreach</c> that enumerates <paramref name="result"/> (<see cref="StreamingLoop"/>), in a block. The
    /// async form keeps the local, whose type changes to an async stream, so it must be declared with <c>var</c>.
    /// </summary>
    private static CommonForEachStatementSyntax? FindSingleForEach(SemanticModel model, ExpressionSyntax result, bool requireVar, CancellationToken cancellationToken)
        => StreamingLoop.Find(model, result, cancellationToken) is { } streaming
            && (streaming.Declaration is null
                || (streaming.Declaration.Parent is BlockSyntax && (!requireVar || streaming.Declaration.Declaration.Type.IsVar)))
            ? streaming.Loop
            : null;

    /// <summary>True when the loop's body names the connection the query runs on (another command on it would fail while the reader is open).</summary>
    private static bool UsesConnection(SemanticModel model, InvocationExpressionSyntax call, CommonForEachStatementSyntax loop, CancellationToken cancellationToken)
    {
        var receiver = (model.GetOperation(call, cancellationToken) as IInvocationOperation)?.Arguments
            .FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value.WalkDownConversion();
        ISymbol? connection = receiver switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation property => property.Property,
            _ => null,
        };
        if (connection is null)
        {
            // A connection with no name (a call's result, a new object) cannot be used again in the body.
            return receiver is not (IInvocationOperation or IObjectCreationOperation);
        }

        return loop.Statement.DescendantNodesAndSelf()
            .OfType<IdentifierNameSyntax>()
            .Any(identifier => identifier.Identifier.ValueText == connection.Name
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, connection));
    }

    private static InvocationExpressionSyntax WithBufferedFalse(SemanticModel model, InvocationExpressionSyntax call, CancellationToken cancellationToken)
    {
        var falseLiteral = SyntaxFactory.LiteralExpression(SyntaxKind.FalseLiteralExpression);
        var arguments = call.ArgumentList.Arguments;
        var buffered = ArgumentFor(model, call, "buffered", cancellationToken);
        return buffered is null
            ? call.WithArgumentList(call.ArgumentList.AddArguments(SyntaxFactory.Argument(SyntaxFactory.NameColon("buffered"), default, falseLiteral)))
            : call.WithArgumentList(call.ArgumentList.WithArguments(arguments.Replace(buffered, buffered.WithExpression(falseLiteral.WithTriviaFrom(buffered.Expression)))));
    }

    /// <summary>The CommandDefinition written in the call gets <c>CommandFlags.None</c> where its flags were Buffered (or left out).</summary>
    private static InvocationExpressionSyntax? WithFlagsNone(SemanticModel model, InvocationExpressionSyntax call, CancellationToken cancellationToken)
    {
        if (ArgumentFor(model, call, "command", cancellationToken)?.Expression is not BaseObjectCreationExpressionSyntax { ArgumentList: { } arguments } creation)
        {
            return null;
        }

        var none = SyntaxFactory.MemberAccessExpression(
                SyntaxKind.SimpleMemberAccessExpression,
                SyntaxFactory.ParseTypeName("Dapper.CommandFlags").WithAdditionalAnnotations(Simplifier.Annotation),
                SyntaxFactory.IdentifierName("None"))
            .WithAdditionalAnnotations(Simplifier.Annotation);
        ArgumentListSyntax newArguments;
        if (arguments.Arguments.FirstOrDefault(a => model.GetOperation(a, cancellationToken) is IArgumentOperation { Parameter.Name: "flags" }) is { } flags)
        {
            // Only exactly Buffered: other flags (NoCache, Pipelined) are kept by a person, not guessed here.
            if (model.GetConstantValue(flags.Expression, cancellationToken) is not { HasValue: true, Value: 1 })
            {
                return null;
            }

            newArguments = arguments.WithArguments(arguments.Arguments.Replace(flags, flags.WithExpression(none.WithTriviaFrom(flags.Expression))));
        }
        else
        {
            newArguments = arguments.AddArguments(SyntaxFactory.Argument(SyntaxFactory.NameColon("flags"), default, none));
        }

        return call.ReplaceNode(creation, creation.WithArgumentList(newArguments));
    }

    /// <summary>
    /// <c>connection.QueryAsync&lt;T&gt;(sql, ...)</c> as <c>connection.QueryUnbufferedAsync&lt;T&gt;(sql, ...)</c>, when that binds:
    /// Dapper offers it on DbConnection only, with a DbTransaction.
    /// </summary>
    private static InvocationExpressionSyntax? ToQueryUnbufferedAsync(SemanticModel model, InvocationExpressionSyntax call)
    {
        if (call.Expression is not MemberAccessExpressionSyntax { Name: var name } access)
        {
            return null;
        }

        SimpleNameSyntax newName = name is GenericNameSyntax generic
            ? generic.WithIdentifier(SyntaxFactory.Identifier("QueryUnbufferedAsync").WithTriviaFrom(generic.Identifier))
            : SyntaxFactory.IdentifierName("QueryUnbufferedAsync").WithTriviaFrom(name);
        var streamed = call.WithExpression(access.WithName(newName));
        var symbol = model.GetSpeculativeSymbolInfo(call.SpanStart, streamed, SpeculativeBindingOption.BindAsExpression).Symbol as IMethodSymbol;
        return symbol is { Name: "QueryUnbufferedAsync", ContainingType: { Name: "SqlMapper", ContainingNamespace.Name: "Dapper" } }
            ? streamed
            : null;
    }

    private static ArgumentSyntax? ArgumentFor(SemanticModel model, InvocationExpressionSyntax call, string parameterName, CancellationToken cancellationToken)
        => call.ArgumentList.Arguments.FirstOrDefault(argument =>
            model.GetOperation(argument, cancellationToken) is IArgumentOperation { Parameter.Name: var name } && name == parameterName);
}
