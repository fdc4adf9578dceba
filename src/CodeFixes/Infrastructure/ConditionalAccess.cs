using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Sluice.CodeFixes.Infrastructure;

/// <summary>Calls reached through a conditional access (<c>a?.Call()</c>, <c>a?.B.Call()</c>, <c>a?.B?.Call()</c>).</summary>
internal static class ConditionalAccess
{
    /// <summary>
    /// True when the receiver chain of <paramref name="expression"/> starts at a member or element binding (<c>.B.Call()</c>
    /// in <c>a?.B.Call()</c>): the expression means nothing on its own, so it can be neither bound speculatively nor moved
    /// elsewhere (into a lambda, another statement) as written.
    /// </summary>
    public static bool IsReachedThrough(ExpressionSyntax expression)
    {
        for (var current = expression; ;)
        {
            switch (current)
            {
                case MemberBindingExpressionSyntax or ElementBindingExpressionSyntax:
                    return true;
                case MemberAccessExpressionSyntax access:
                    current = access.Expression;
                    break;
                case InvocationExpressionSyntax invocation:
                    current = invocation.Expression;
                    break;
                case ElementAccessExpressionSyntax element:
                    current = element.Expression;
                    break;
                case PostfixUnaryExpressionSyntax suppressed when suppressed.IsKind(SyntaxKind.SuppressNullableWarningExpression):
                    current = suppressed.Operand;
                    break;
                default:
                    return false;
            }
        }
    }
}
