using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Memory;

/// <summary>
/// SLU105: finds <c>JsonSerializer.Deserialize</c>/<c>DeserializeAsync</c> of a whole JSON array — into <c>List&lt;T&gt;</c>,
/// <c>T[]</c>, <c>IEnumerable&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c> and the other list interfaces — from a stream or a string,
/// where <c>JsonSerializer.DeserializeAsyncEnumerable&lt;T&gt;</c> would read one element at a time.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WholeJsonArrayDeserializedAnalyzer : DiagnosticAnalyzer
{
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
            var types = KnownTypes.Of(start.Compilation);
            if (types.JsonSerializer is null || types.Stream is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeInvocation(c, types), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownTypes types)
    {
        var call = (IInvocationOperation)context.Operation;
        if (JsonArrays.ElementOfDeserializedList(call, types) is not { } element)
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
}
