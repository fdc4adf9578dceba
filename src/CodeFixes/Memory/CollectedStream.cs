using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Sluice.CodeFixes.Memory;

/// <summary>
/// A stream collected whole and then gone through once by a <c>foreach</c>: <c>csv.GetRecords&lt;T&gt;().ToList()</c>
/// (SLU102) or <c>await JsonSerializer.DeserializeAsyncEnumerable&lt;T&gt;(stream).ToListAsync(token)</c> (SLU105). The
/// loop iterates the stream itself (<c>await foreach</c> for an async one, the token moved into <c>WithCancellation</c>,
/// a <c>ConfigureAwait</c> kept on the stream), directly or in place of the local declared just before it (see
/// <see cref="StreamingLoop"/>).
/// </summary>
internal static class CollectedStream
{
    public static Document? Fix(Document document, SyntaxNode root, SemanticModel model, InvocationExpressionSyntax collect, CancellationToken cancellationToken)
    {
        if (collect.Expression is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ToList" or "ToArray" or "ToListAsync" or "ToArrayAsync" } access)
        {
            return null;
        }

        var isAsync = access.Name.Identifier.ValueText.EndsWith("Async", StringComparison.Ordinal);
        var arguments = collect.ArgumentList.Arguments;
        ExpressionSyntax stream = access.Expression.WithoutTrivia();
        ExpressionSyntax value = collect;
        if (!isAsync)
        {
            if (arguments.Count != 0)
            {
                return null;
            }
        }
        else
        {
            if (arguments.Count > 1)
            {
                return null;
            }

            if (arguments.Count == 1)
            {
                stream = Call(stream, "WithCancellation", SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(arguments[0].WithoutTrivia())));
            }

            if (collect.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax configured } member
                && member.Expression == collect)
            {
                stream = Call(stream, "ConfigureAwait", configured.ArgumentList.WithoutTrivia());
                value = configured;
            }

            if (value.Parent is not AwaitExpressionSyntax awaited)
            {
                return null;
            }

            value = awaited;
        }

        if (StreamingLoop.Find(model, value, cancellationToken) is not { } loop)
        {
            return null;
        }

        return document.WithSyntaxRoot(loop.ReplaceIn(root, loop.Over(stream, awaitEach: isAsync).WithAdditionalAnnotations(Formatter.Annotation)));
    }

    private static InvocationExpressionSyntax Call(ExpressionSyntax receiver, string name, ArgumentListSyntax arguments)
        => SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver, SyntaxFactory.IdentifierName(name)),
            arguments);
}
