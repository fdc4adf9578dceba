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
