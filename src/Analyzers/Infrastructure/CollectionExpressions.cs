using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
#if ROSLYN_4_14_OR_GREATER
using Microsoft.CodeAnalysis.Operations;
#else
using Microsoft.CodeAnalysis.CSharp.Syntax;
#endif

namespace Sluice.Analyzers.Infrastructure;

/// <summary>
/// Collection expressions (<c>[a, b, ..rest]</c>) for every Roslyn the package is built against. Roslyn 4.8 compiles
/// them but has no operation for them (ICollectionExpressionOperation and ISpreadOperation came later): there a
/// collection expression is an operation of kind None over its elements, recognized by its syntax. The only place
/// that names those operation types, so the 4.8 build compiles.
/// </summary>
internal static class CollectionExpressions
{
    /// <summary>The elements of a collection expression, a spread element as one element; null when it is not one.</summary>
    public static ImmutableArray<IOperation>? ElementsOf(IOperation operation)
    {
#if ROSLYN_4_14_OR_GREATER
#pragma warning disable RS0030 // The one place allowed to name it.
        return operation is ICollectionExpressionOperation collection ? collection.Elements : null;
#pragma warning restore RS0030
#else
        return operation.Kind == OperationKind.None && operation.Syntax is CollectionExpressionSyntax
            ? operation.ChildOperations.ToImmutableArray()
            : null;
#endif
    }

    /// <summary>Whether an element of <see cref="ElementsOf"/> is a spread (<c>..rest</c>), whose length is not written.</summary>
    public static bool IsSpread(IOperation element)
    {
#if ROSLYN_4_14_OR_GREATER
#pragma warning disable RS0030 // The one place allowed to name it.
        return element is ISpreadOperation;
#pragma warning restore RS0030
#else
        return element.Syntax is SpreadElementSyntax || element.Syntax.Parent is SpreadElementSyntax;
#endif
    }
}
