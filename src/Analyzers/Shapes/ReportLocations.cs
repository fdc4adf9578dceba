using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// Where the rules put their squiggles when the whole statement would be too much: the part of the code a reader
/// recognizes the finding by, not the block that follows it.
/// </summary>
internal static class ReportLocations
{
    /// <summary>The catch keyword and its declaration: <c>catch (Exception ex)</c>, without the filter and the block.</summary>
    public static Location Catch(CatchClauseSyntax syntax)
        => Location.Create(
            syntax.SyntaxTree,
            TextSpan.FromBounds(syntax.CatchKeyword.SpanStart, syntax.Declaration?.Span.End ?? syntax.CatchKeyword.Span.End));

    /// <summary>A loop's header — <c>for (...)</c>, <c>while (...)</c> or the <c>do</c> keyword — not its body.</summary>
    public static Location LoopHeader(SyntaxNode loop)
    {
        var span = loop switch
        {
            ForStatementSyntax f => TextSpan.FromBounds(f.ForKeyword.SpanStart, f.CloseParenToken.Span.End),
            WhileStatementSyntax w => TextSpan.FromBounds(w.WhileKeyword.SpanStart, w.CloseParenToken.Span.End),
            DoStatementSyntax d => d.DoKeyword.Span,
            _ => loop.Span,
        };
        return Location.Create(loop.SyntaxTree, span);
    }

    /// <summary>
    /// A call from its method name on, without the receiver chain before it: <c>Handle&lt;Exception&gt;()</c> of
    /// <c>Policy.Handle&lt;Exception&gt;()</c>.
    /// </summary>
    public static Location CalledName(IInvocationOperation call)
        => call.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation
            ? Location.Create(invocation.SyntaxTree, TextSpan.FromBounds(access.Name.SpanStart, invocation.Span.End))
            : call.Syntax.GetLocation();

    /// <summary>A call's method name alone: <c>WaitAndRetryAsync</c>, not its arguments (which may span many lines).</summary>
    public static Location MethodName(IInvocationOperation call)
        => call.Syntax switch
        {
            InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } => access.Name.GetLocation(),
            InvocationExpressionSyntax { Expression: SimpleNameSyntax name } => name.GetLocation(),
            _ => call.Syntax.GetLocation(),
        };

    /// <summary><c>new RetryStrategyOptions(...)</c> without its initializer.</summary>
    public static Location ObjectCreation(IObjectCreationOperation creation)
        => creation.Syntax switch
        {
            ObjectCreationExpressionSyntax explicitNew => Location.Create(
                explicitNew.SyntaxTree,
                TextSpan.FromBounds(explicitNew.NewKeyword.SpanStart, explicitNew.ArgumentList?.Span.End ?? explicitNew.Type.Span.End)),
            ImplicitObjectCreationExpressionSyntax implicitNew => Location.Create(
                implicitNew.SyntaxTree,
                TextSpan.FromBounds(implicitNew.NewKeyword.SpanStart, implicitNew.ArgumentList.Span.End)),
            _ => creation.Syntax.GetLocation(),
        };
}
