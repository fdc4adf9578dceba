using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Sluice.Analyzers.Infrastructure;

/// <summary>Small walks over the operation tree that several rules need.</summary>
internal static class OperationExtensions
{
    /// <summary>The operation under any implicit or explicit conversions.</summary>
    public static IOperation WalkDownConversion(this IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    /// <summary>
    /// The operations under <paramref name="root"/> (itself included) that run as part of it: lambdas and local
    /// functions are not entered, they run later, if at all.
    /// </summary>
    public static IEnumerable<IOperation> OwnDescendants(this IOperation root)
    {
        var stack = new Stack<IOperation>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            yield return current;
            foreach (var child in current.ChildOperations)
            {
                if (child is not (IAnonymousFunctionOperation or ILocalFunctionOperation))
                {
                    stack.Push(child);
                }
            }
        }
    }

    /// <summary>The root of the operation's tree: the body (or initializer) of the member it is in.</summary>
    public static IOperation Root(this IOperation operation)
    {
        while (operation.Parent is { } parent)
        {
            operation = parent;
        }

        return operation;
    }
}
