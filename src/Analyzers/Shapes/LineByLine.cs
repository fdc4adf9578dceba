using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>How a value read whole (the lines of a file, a deserialized array) is then used.</summary>
internal enum LineByLineUse
{
    /// <summary>Some other way (indexed, its length used, returned, stored, passed on...): keeping it whole may be the point.</summary>
    None,

    /// <summary>Iterated once by a <c>foreach</c>.</summary>
    Loop,

    /// <summary>Queried once with LINQ, ending in a single value, a collection, or a <c>foreach</c>.</summary>
    Query,
}

/// <summary>
/// Classifies the use of a collection read whole: directly, or through a local used exactly once, and not from inside
/// a loop or lambda that would enumerate it again.
/// </summary>
internal static class LineByLine
{
    /// <summary>LINQ operators that go through their source one item at a time (so a stream serves them as well).</summary>
    private static readonly string[] StreamingOperators =
    [
        "Where", "Select", "SelectMany", "Skip", "SkipWhile", "Take", "TakeWhile", "Chunk",
        "First", "FirstOrDefault", "Last", "LastOrDefault", "Single", "SingleOrDefault", "ElementAt", "ElementAtOrDefault",
        "Any", "All", "Count", "LongCount", "Contains", "Aggregate", "Sum", "Min", "Max", "Average",
    ];

    /// <summary>The use of <paramref name="value"/>, following it into a local declared with it.</summary>
    public static LineByLineUse Classify(IOperation value)
    {
        var use = Direct(value);
        if (use != LineByLineUse.None)
        {
            return use;
        }

        var top = WalkUpConversions(value);
        if (top.Parent is not IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator })
        {
            return LineByLineUse.None;
        }

        var local = declarator.Symbol;
        ILocalReferenceOperation? only = null;
        foreach (var operation in value.Root().Descendants())
        {
            if (operation is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
            {
                if (only is not null)
                {
                    return LineByLineUse.None;
                }

                only = reference;
            }
        }

        return only is not null && !RunsRepeatedly(only, declarator) ? Direct(only) : LineByLineUse.None;
    }

    private static LineByLineUse Direct(IOperation value)
    {
        var top = WalkUpConversions(value);
        switch (top.Parent)
        {
            case IForEachLoopOperation loop when loop.Collection == top || loop.Collection.DescendantsAndSelf().Contains(top):
                return LineByLineUse.Loop;
            case IArgumentOperation { Parent: IInvocationOperation call } argument
                when IsEnumerableMethod(call.TargetMethod) && call.Arguments[0] == argument
                    && Array.IndexOf(StreamingOperators, call.TargetMethod.Name) >= 0:
                return EndsOnce(call) ? LineByLineUse.Query : LineByLineUse.None;
            default:
                return LineByLineUse.None;
        }
    }

    /// <summary>
    /// The query is enumerated once: it ends in a value or a collection (not a deferred sequence), or its deferred
    /// result is the collection of a foreach. A deferred query kept and enumerated again would read the source again.
    /// </summary>
    private static bool EndsOnce(IInvocationOperation call)
    {
        while (WalkUpConversions(call).Parent is IArgumentOperation { Parent: IInvocationOperation next } argument
            && IsEnumerableMethod(next.TargetMethod) && next.Arguments[0] == argument)
        {
            call = next;
        }

        var type = call.Type;
        var deferred = type is INamedTypeSymbol { IsGenericType: true } named
            && (TypeSymbols.IsNamespace(named.ContainingNamespace, "System.Collections.Generic") || TypeSymbols.IsNamespace(named.ContainingNamespace, "System.Linq"))
            && named.TypeKind == TypeKind.Interface;
        return !deferred || Direct(call) == LineByLineUse.Loop;
    }

    /// <summary>The reference sits in a loop body, lambda or local function that the declaration is outside of.</summary>
    private static bool RunsRepeatedly(IOperation reference, IOperation declaration)
    {
        var declarationSpan = declaration.Syntax.Span;
        for (var current = reference; current.Parent is { } parent; current = parent)
        {
            if (parent.Syntax.Span.Contains(declarationSpan))
            {
                return false;
            }

            switch (parent)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return true;
                case ILoopOperation loop when loop.Body == current || loop.Body.DescendantsAndSelf().Contains(current):
                    return true;
            }
        }

        return false;
    }

    private static IOperation WalkUpConversions(IOperation operation)
    {
        while (operation.Parent is IConversionOperation or IParenthesizedOperation)
        {
            operation = operation.Parent;
        }

        return operation;
    }

    private static bool IsEnumerableMethod(IMethodSymbol method)
        => method.IsExtensionMethod
            && (method.ReducedFrom ?? method).ContainingType is { Name: "Enumerable", ContainingNamespace: { Name: "Linq", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } };
}
