using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// A whole JSON array read into memory by System.Text.Json: <c>Deserialize</c>/<c>DeserializeAsync</c> into a list, an
/// array or a list interface, from a stream or a string. SLU105 reports it where the document comes from outside
/// (<see cref="ReadsDocument"/>) and its elements are then used one at a time (<see cref="IsUsedElementByElement"/>);
/// its fix streams the same elements.
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

    /// <summary>
    /// The <c>JsonSerializer.DeserializeAsyncEnumerable&lt;T&gt;(stream)</c> call whose elements <paramref name="call"/>
    /// collects whole (<c>ToListAsync()</c>/<c>ToArrayAsync()</c> on it), or null.
    /// </summary>
    public static IInvocationOperation? CollectedAsyncEnumerable(IInvocationOperation call, KnownTypes types)
        => call.TargetMethod is { Name: "ToListAsync" or "ToArrayAsync", IsExtensionMethod: true }
            && call.Arguments.Length > 0
            && call.Arguments[0].Value.WalkDownConversion() is IInvocationOperation
            {
                TargetMethod: { Name: "DeserializeAsyncEnumerable", IsGenericMethod: true } method,
                Arguments.Length: > 0,
            } deserialize
            && types.JsonSerializer is { } serializer
            && SymbolEqualityComparer.Default.Equals(method.ContainingType, serializer)
            && TypeSymbols.BaseOrSelf(deserialize.Arguments[0].Value.WalkDownConversion().Type, types.Stream) is not null
                ? deserialize
                : null;

    /// <summary>
    /// The deserialized call reads a document from outside the process, whole: a stream that is not already in memory
    /// (a <c>MemoryStream</c>) or an embedded resource, or a string that <c>File.ReadAllText</c> just read. A string the
    /// code already holds (a header, a cookie, a column, a response body read by a caller) is not a document to stream.
    /// </summary>
    public static bool ReadsDocument(IInvocationOperation call, KnownTypes types)
    {
        var input = Origin(call.Arguments[0].Value);
        if (call.Arguments[0].Value.WalkDownConversion().Type?.SpecialType == SpecialType.System_String)
        {
            return input is IInvocationOperation { TargetMethod.Name: "ReadAllText" or "ReadAllTextAsync" } read
                && SymbolEqualityComparer.Default.Equals(read.TargetMethod.ContainingType, types.File);
        }

        if (TypeSymbols.BaseOrSelf(input.Type, types.MemoryStream) is not null)
        {
            return false;
        }

        return input is not IInvocationOperation { TargetMethod.Name: "GetManifestResourceStream" } resource
            || TypeSymbols.BaseOrSelf(resource.TargetMethod.ContainingType, types.Assembly) is null;
    }

    /// <summary>
    /// The deserialized list is then used one element at a time — iterated once by a <c>foreach</c> or queried once —
    /// directly or through a local declared with it (through <c>await</c>, <c>ConfigureAwait</c> and <c>?? []</c>). A
    /// list that is returned, stored, counted or passed on is kept whole on purpose: streaming would not spare memory.
    /// </summary>
    public static bool IsUsedElementByElement(IInvocationOperation call)
    {
        IOperation value = call;
        if (value.Parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configured && configured.Instance == value)
        {
            value = configured;
        }

        if (value.Parent is IAwaitOperation awaited)
        {
            value = awaited;
        }
        else if (call.TargetMethod.Name == "DeserializeAsync")
        {
            return false;
        }

        while (value.Parent is IConversionOperation or IParenthesizedOperation
            || (value.Parent is ICoalesceOperation coalesce && coalesce.Value == value))
        {
            value = value.Parent;
        }

        return LineByLine.Classify(value) != LineByLineUse.None;
    }

    /// <summary>Where an input comes from: through conversions, <c>await</c>, <c>ConfigureAwait</c>, <c>?? throw</c> and a local assigned once.</summary>
    private static IOperation Origin(IOperation input)
    {
        for (var depth = 0; depth < 8; depth++)
        {
            input = input.WalkDownConversion();
            switch (input)
            {
                case IAwaitOperation awaited:
                    input = awaited.Operation;
                    continue;
                case IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured }:
                    input = configured;
                    continue;
                case ICoalesceOperation coalesce:
                    input = coalesce.Value;
                    continue;
                case ILocalReferenceOperation local
                    when LocalValues.OnlyDeclarator(local.Local, local.Root()) is { Initializer.Value: { } initial }:
                    input = initial;
                    continue;
            }

            break;
        }

        return input;
    }
}
