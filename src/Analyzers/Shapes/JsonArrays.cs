using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// A whole JSON array read into memory by System.Text.Json: <c>Deserialize</c>/<c>DeserializeAsync</c> into a list, an
/// array or a list interface, from a stream or a string. SLU105 reports it; its fix streams the same elements.
/// </summary>
internal static class JsonArrays
{
    private static readonly string[] ListTypes =
    [
        "System.Collections.Generic.List<T>",
        "System.Collections.Generic.IEnumerable<T>",
        "System.Collections.Generic.IReadOnlyList<T>",
        "System.Collections.Generic.IReadOnlyCollection<T>",
        "System.Collections.Generic.IList<T>",
        "System.Collections.Generic.ICollection<T>",
    ];

    /// <summary>
    /// The element type when <paramref name="call"/> deserializes a list or array from a stream or a (non-constant)
    /// string; otherwise null. <c>byte[]</c> is a base64 string in JSON, not an array.
    /// </summary>
    public static ITypeSymbol? ElementOfDeserializedList(IInvocationOperation call, KnownTypes types)
    {
        var method = call.TargetMethod;
        if (method.Name is not ("Deserialize" or "DeserializeAsync")
            || !method.IsGenericMethod
            || types.JsonSerializer is not { } serializer
            || !SymbolEqualityComparer.Default.Equals(method.ContainingType, serializer)
            || call.Arguments.Length == 0)
        {
            return null;
        }

        var input = call.Arguments[0].Value;
        var fromString = input.Type?.SpecialType == SpecialType.System_String;
        if (fromString ? input.ConstantValue.HasValue : TypeSymbols.BaseOrSelf(input.Type, types.Stream) is null)
        {
            return null;
        }

        var target = method.TypeArguments[0];
        if (target is IArrayTypeSymbol { Rank: 1 } array)
        {
            return array.ElementType.SpecialType == SpecialType.System_Byte ? null : array.ElementType;
        }

        return target is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
            && ListTypes.Contains(named.OriginalDefinition.ToDisplayString())
                ? named.TypeArguments[0]
                : null;
    }
}
