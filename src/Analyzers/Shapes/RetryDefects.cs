using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>What a hand-rolled retry loop gets wrong, most serious first.</summary>
internal enum RetryDefect
{
    /// <summary>
    /// Nothing a retry strategy would do differently in substance: a bounded loop whose last failure is rethrown, wrapped,
    /// kept or logged — the deliberate retry of a library that has no retry dependency.
    /// </summary>
    None,

    /// <summary>No attempt limit and no way out for a failed attempt (<see cref="RetryLoopShape.IsUnbounded"/>).</summary>
    NeverGivesUp,

    /// <summary>
    /// The attempt limit is the loop's condition, and after the last failure the loop ends and the code after it carries
    /// on: the failure is not thrown, kept, logged, or handed back as a value.
    /// </summary>
    GivesUpSilently,

    /// <summary>
    /// After the last failure the loop throws an exception of its own that carries none of the failures, and no attempt's
    /// failure was logged or kept: the cause is gone.
    /// </summary>
    DropsTheFailure,

    /// <summary>An <c>async</c> method waits between attempts with <c>Thread.Sleep</c>, blocking a pool thread.</summary>
    BlocksAThread,
}

/// <summary>
/// Decides what is wrong with a hand-rolled retry loop (<see cref="RetryLoops"/>) and whether it is a readiness wait, for
/// SLU402 and SLU403. A hand-written loop that is bounded, lets the last failure through (rethrown, wrapped as the inner
/// exception, kept for the code after the loop, or logged at every attempt) is what a retry strategy does too; the
/// libraries that write them (job schedulers, message buses) deliberately have no resilience dependency. What deserves a
/// warning is a loop that can lose the work or its failure: one that never gives up, gives up silently, or throws away
/// the cause — or one that blocks a thread while it waits.
/// </summary>
internal static class RetryDefects
{
    /// <summary>The default method-name prefixes of a readiness wait (see <see cref="IsReadinessWait"/>).</summary>
    public const string DefaultReadinessPrefixes = "WaitFor,WaitUntil";

    /// <summary>The most serious defect of the loop, or <see cref="RetryDefect.None"/>.</summary>
    public static RetryDefect Of(RetryLoopShape shape)
    {
        if (shape.IsUnbounded)
        {
            return RetryDefect.NeverGivesUp;
        }

        var observed = shape.RetryingCatches.Any(ObservesException);
        var fallsOut = GivesUpByFallingOut(shape, out var after);
        if (!observed && fallsOut && !SurfacesAfterLoop(after))
        {
            return RetryDefect.GivesUpSilently;
        }

        if (!observed && ThrowsItsOwnException(shape, fallsOut ? after : null))
        {
            return RetryDefect.DropsTheFailure;
        }

        if (shape.Delays.Any(d => d.TargetMethod.Name == "Sleep") && IsInAsyncFunction(shape.Loop))
        {
            return RetryDefect.BlocksAThread;
        }

        return RetryDefect.None;
    }

    /// <summary>
    /// True when the loop is in a method whose name starts with one of <paramref name="prefixes"/> (by default
    /// <c>WaitFor</c>, <c>WaitUntil</c>): a wait for a dependency to become ready — a database that is starting, a file
    /// another process is still writing. Every failure there means "not yet", so retrying every exception, and giving up
    /// with an exception of its own, is the intent.
    /// </summary>
    public static bool IsReadinessWait(ILoopOperation loop, string prefixes)
    {
        if (prefixes.Length == 0 || loop.SemanticModel is not { } model)
        {
            return false;
        }

        var symbol = model.GetEnclosingSymbol(loop.Syntax.SpanStart);
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction })
        {
            symbol = symbol.ContainingSymbol;
        }

        if (symbol is not IMethodSymbol method)
        {
            return false;
        }

        foreach (var prefix in prefixes.Split(','))
        {
            var trimmed = prefix.Trim();
            if (trimmed.Length > 0 && method.Name.StartsWith(trimmed, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The catch does something with the exception object itself: logs it, keeps it, wraps it, passes it on
    /// (<c>logger.LogWarning(ex, ...)</c>, <c>last = ex</c>, <c>errors.Add(ex)</c>). Reading only <c>ex.Message</c> does not count.
    /// </summary>
    private static bool ObservesException(ICatchClauseOperation catchClause)
    {
        if (catchClause.ExceptionDeclarationOrExpression is not IVariableDeclaratorOperation { Symbol: { } exception })
        {
            return false;
        }

        return catchClause.Handler.Descendants().Any(operation =>
            operation is ILocalReferenceOperation reference
            && SymbolEqualityComparer.Default.Equals(reference.Local, exception)
            && reference.Parent is not IMemberReferenceOperation { Member: IPropertySymbol or IFieldSymbol });
    }

    /// <summary>
    /// The only limits are the loop's condition (no counter-guarded throw, no catch filter), so after the last failure the
    /// loop ends and <paramref name="after"/>, the statement that follows it (null at the end of the block), runs.
    /// </summary>
    private static bool GivesUpByFallingOut(RetryLoopShape shape, out IOperation? after)
    {
        after = null;
        if (shape.LimitChecks.IsEmpty
            || shape.LimitChecks.Any(check => check.Site != RetryLimitSite.LoopCondition)
            || shape.Exhaustion is RetryExhaustion.Rethrow or RetryExhaustion.Throw)
        {
            return false;
        }

        after = NextStatement(shape.Loop);
        return true;
    }

    /// <summary>
    /// The code after the loop throws (or calls a throw helper), directly or under an <c>if</c> (<c>if (!done) throw</c>),
    /// or returns a value the caller can tell failure by.
    /// </summary>
    private static bool SurfacesAfterLoop(IOperation? after)
        => after switch
        {
            IThrowOperation => true,
            IExpressionStatementOperation { Operation: IThrowOperation } => true,
            IExpressionStatementOperation { Operation: IInvocationOperation call } => call.TargetMethod.Name.StartsWith("Throw", StringComparison.Ordinal),
            IReturnOperation { ReturnedValue: not null } => true,

            // if (!done) throw ...; — after a loop that ends on a success flag.
            IConditionalOperation { WhenFalse: null, WhenTrue: var whenTrue } => SurfacesAfterLoop(
                whenTrue is IBlockOperation { Operations.Length: 1 } block ? block.Operations[0] : whenTrue),
            _ => false,
        };

    /// <summary>
    /// The loop gives up with <c>throw new X(...)</c> — in a retrying catch, or in <paramref name="after"/>, the statement
    /// after a loop that ends when its attempts run out — and none of those exceptions is built from a failure (no argument
    /// refers to an exception).
    /// </summary>
    private static bool ThrowsItsOwnException(RetryLoopShape shape, IOperation? after)
    {
        var throws = new List<IThrowOperation>();
        foreach (var catchClause in shape.RetryingCatches)
        {
            throws.AddRange(catchClause.Handler.OwnDescendants().OfType<IThrowOperation>());
        }

        if (after is not null)
        {
            throws.AddRange(after.DescendantsAndSelf().OfType<IThrowOperation>());
        }

        return throws.Count > 0
            && throws.All(t => t.Exception?.WalkDownConversion() is IObjectCreationOperation created
                && !created.Descendants().Any(o => IsException(o.Type) && o is ILocalReferenceOperation or IFieldReferenceOperation or IParameterReferenceOperation));
    }

    private static bool IsException(ITypeSymbol? type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current is { Name: "Exception", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } })
            {
                return true;
            }
        }

        return false;
    }

    private static IOperation? NextStatement(ILoopOperation loop)
    {
        if (loop.Parent is not IBlockOperation block)
        {
            return null;
        }

        var index = block.Operations.IndexOf(loop);
        return index >= 0 && index + 1 < block.Operations.Length ? block.Operations[index + 1] : null;
    }

    private static bool IsInAsyncFunction(ILoopOperation loop)
    {
        for (var node = loop.Syntax.Parent; node is not null; node = node.Parent)
        {
            switch (node)
            {
                case AnonymousFunctionExpressionSyntax function:
                    return function.AsyncKeyword.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.AsyncKeyword);
                case LocalFunctionStatementSyntax local:
                    return local.Modifiers.Any(Microsoft.CodeAnalysis.CSharp.SyntaxKind.AsyncKeyword);
                case MethodDeclarationSyntax method:
                    return method.Modifiers.Any(Microsoft.CodeAnalysis.CSharp.SyntaxKind.AsyncKeyword);
                case MemberDeclarationSyntax:
                    return false;
            }
        }

        return false;
    }
}
