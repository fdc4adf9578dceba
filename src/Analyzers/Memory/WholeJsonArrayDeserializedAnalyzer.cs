using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Memory;

/// <summary>
/// SLU105: finds <c>JsonSerializer.Deserialize</c>/<c>DeserializeAsync</c> of a whole JSON array — into <c>List&lt;T&gt;</c>,
/// <c>T[]</c>, <c>IEnumerable&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c> and the other list interfaces — from a stream or a string,
/// where <c>JsonSerializer.DeserializeAsyncEnumerable&lt;T&gt;</c> would read one element at a time.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WholeJsonArrayDeserializedAnalyzer : DiagnosticAnalyzer
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

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.WholeJsonArrayDeserialized,
        title: "Whole JSON array deserialized",
        messageFormat: "The JSON array in {0} is deserialized whole into '{1}'; stream it with JsonSerializer.DeserializeAsyncEnumerable<{2}>()",
        RuleCategories.Memory,
        DiagnosticSeverity.Info,
        description: "Deserializing a JSON array into a list holds every element (and, from a string, the whole text) in memory "
            + "before the first one is used. JsonSerializer.DeserializeAsyncEnumerable reads a top-level array from a stream "
            + "one element at a time.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var serializer = start.Compilation.GetTypeByMetadataName("System.Text.Json.JsonSerializer");
            var stream = start.Compilation.GetTypeByMetadataName("System.IO.Stream");
            if (serializer is null || stream is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeInvocation(c, serializer, stream), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, INamedTypeSymbol serializer, INamedTypeSymbol stream)
    {
        var call = (IInvocationOperation)context.Operation;
        if (ElementOfDeserializedList(call, serializer, stream) is not { } element)
        {
            return;
        }

        var source = call.Arguments[0].Value.WalkDownConversion().Syntax.ToString();
        var sourceName = source.Length <= 60 && source.IndexOf('\n') < 0 ? $"'{source}'" : "the input";
        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            call.Syntax.GetLocation(),
            sourceName,
            call.TargetMethod.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
            element.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
    }

    /// <summary>
    /// The element type when <paramref name="call"/> deserializes a list or array from a stream or a (non-constant)
    /// string; otherwise null. <c>byte[]</c> is a base64 string in JSON, not an array.
    /// </summary>
    internal static ITypeSymbol? ElementOfDeserializedList(IInvocationOperation call, INamedTypeSymbol serializer, INamedTypeSymbol stream)
    {
        var method = call.TargetMethod;
        if (method.Name is not ("Deserialize" or "DeserializeAsync")
            || !method.IsGenericMethod
            || !SymbolEqualityComparer.Default.Equals(method.ContainingType, serializer)
            || call.Arguments.Length == 0)
        {
            return null;
        }

        var input = call.Arguments[0].Value;
        var fromString = input.Type?.SpecialType == SpecialType.System_String;
        if (fromString ? input.ConstantValue.HasValue : !DerivesFrom(input.Type, stream))
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

    private static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol baseType)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, baseType))
            {
                return true;
            }
        }

        return false;
    }
}
