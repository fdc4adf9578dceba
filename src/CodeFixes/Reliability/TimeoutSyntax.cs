using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Sluice.CodeFixes.Infrastructure;

namespace Sluice.CodeFixes.Reliability;

/// <summary>Syntax the timeout fixes (SLU301, SLU302) write.</summary>
internal static class TimeoutSyntax
{
    /// <summary><c>TimeSpan.FromSeconds(n)</c>.</summary>
    public static ExpressionSyntax FromSeconds(int seconds)
        => SyntaxFactory.InvocationExpression(
            FullNames.Member("System.TimeSpan", "FromSeconds"),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(Number(seconds)))));

    /// <summary>A whole number, written with digit separators when long (<c>100_000</c>).</summary>
    public static LiteralExpressionSyntax Number(int value)
    {
        var text = value.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '_');
        return SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(text, value));
    }

    /// <summary>
    /// <c>if (!wait) { throw new TimeoutException("..."); }</c> in place of the statement that discarded the wait's result,
    /// so a wait that now gives up cannot let the code run on as if it had succeeded. A wait that returns an index
    /// (WaitAny) is compared with <paramref name="timeoutIndex"/>, the index it returns on timeout.
    /// </summary>
    public static StatementSyntax ThrowIfTimedOut(ExpressionStatementSyntax statement, ExpressionSyntax boundedWait, ExpressionSyntax? timeoutIndex, string what, int seconds)
    {
        // The statement's leading trivia (indentation, a blank line before it) goes before the 'if', not inside it.
        boundedWait = boundedWait.WithoutLeadingTrivia();
        ExpressionSyntax timedOut = timeoutIndex is not null
            ? SyntaxFactory.BinaryExpression(SyntaxKind.EqualsExpression, boundedWait, timeoutIndex)
            : SyntaxFactory.PrefixUnaryExpression(SyntaxKind.LogicalNotExpression, boundedWait);
        var message = $"{what} did not complete within {seconds.ToString(CultureInfo.InvariantCulture)} seconds.";
        var throwStatement = SyntaxFactory.ThrowStatement(
            SyntaxFactory.ObjectCreationExpression(
                FullNames.Type("System.TimeoutException"),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(
                    SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(message))))),
                initializer: null));
        var trailing = statement.GetTrailingTrivia();

        // A block followed by another statement gets a blank line after it, in the file's own line ending.
        if (statement.Parent is BlockSyntax block
            && block.Statements.IndexOf(statement) < block.Statements.Count - 1
            && trailing.LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: not 0 } endOfLine)
        {
            trailing = trailing.Add(endOfLine);
        }

        return SyntaxFactory.IfStatement(timedOut, SyntaxFactory.Block(throwStatement))
            .WithLeadingTrivia(statement.GetLeadingTrivia())
            .WithTrailingTrivia(trailing)
            .WithAdditionalAnnotations(Formatter.Annotation);
    }

    /// <summary>
    /// How a wait's timeout overload reports a timeout when it returns an index rather than a bool:
    /// <c>WaitHandle.WaitTimeout</c> for WaitHandle.WaitAny, -1 for Task.WaitAny; null for a bool result.
    /// </summary>
    public static ExpressionSyntax? TimedOutIndex(IMethodSymbol method)
        => method.Name != "WaitAny"
            ? null
            : method.ContainingType.Name == "WaitHandle"
                ? FullNames.Member("System.Threading.WaitHandle", "WaitTimeout")
                : SyntaxFactory.ParseExpression("-1");
}
