using System;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// Timeout values and cancellation tokens as the code writes them: what is infinite, what is zero, and which token can
/// actually fire. Used by SLU301 (infinite timeouts) and SLU302 (waits with neither timeout nor token).
/// </summary>
internal static class Timeouts
{
    /// <summary>True when <paramref name="type"/>'s definition is <paramref name="expected"/> (false when that is absent).</summary>
    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? expected)
        => expected is not null && SymbolEqualityComparer.Default.Equals(type?.OriginalDefinition, expected);

    /// <summary><c>Timeout.InfiniteTimeSpan</c> or <c>TimeSpan.FromMilliseconds(-1)</c>.</summary>
    public static bool IsInfiniteTimeSpan(IOperation value, KnownTypes types)
    {
        value = value.WalkDownConversion();
        return value switch
        {
            IFieldReferenceOperation { Field.Name: "InfiniteTimeSpan" } field => Is(field.Field.ContainingType, types.Timeout),
            IInvocationOperation { TargetMethod.Name: "FromMilliseconds", Arguments.Length: > 0 } invocation
                => Is(invocation.TargetMethod.ContainingType, types.TimeSpan) && IsMinusOne(invocation.Arguments[0].Value),
            _ => false,
        };
    }

    /// <summary><c>Timeout.Infinite</c> or a literal -1: the .NET convention for "no timeout" in milliseconds.</summary>
    public static bool IsMinusOne(IOperation value) => WholeNumber(value) == -1;

    /// <summary>A constant 0 (seconds, for ADO.NET's "no command timeout").</summary>
    public static bool IsZero(IOperation value) => WholeNumber(value) == 0;

    /// <summary>
    /// True when the invocation receives a CancellationToken that can actually fire; <c>default</c>,
    /// <c>CancellationToken.None</c>, <c>new CancellationToken()</c> and an omitted optional token cannot.
    /// </summary>
    public static bool HasLiveToken(IInvocationOperation invocation, KnownTypes types)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (!Is(argument.Value.Type, types.CancellationToken) || argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                continue;
            }

            var value = argument.Value.WalkDownConversion();
            var cannotFire = value is IDefaultValueOperation
                || value is IFieldReferenceOperation { Field.Name: "None" }
                || value is IPropertyReferenceOperation { Property.Name: "None" }
                || value is IObjectCreationOperation { Arguments.Length: 0 };
            if (!cannotFire)
            {
                return true;
            }
        }

        return false;
    }

    private static long? WholeNumber(IOperation value)
        => value.WalkDownConversion().ConstantValue is { HasValue: true, Value: int or long } constant
            ? Convert.ToInt64(constant.Value, CultureInfo.InvariantCulture)
            : null;
}
