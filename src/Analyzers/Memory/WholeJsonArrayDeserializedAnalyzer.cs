using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Memory;

/// <summary>
/// SLU105: finds <c>JsonSerializer.Deserialize</c>/<c>DeserializeAsync</c> of a whole JSON array — into <c>List&lt;T&gt;</c>,
/// <c>T[]</c>, <c>IEnumerable&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c> and the other list interfaces — from a document
/// read from outside (a stream, or a file read whole with <c>File.ReadAllText</c>) whose elements are then used one at a
/// time, where <c>JsonSerializer.DeserializeAsyncEnumerable&lt;T&gt;</c> would read one element at a time; and that stream
/// collected whole again (<c>DeserializeAsyncEnumerable&lt;T&gt;(stream).ToListAsync()</c>/<c>ToArrayAsync()</c>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WholeJsonArrayDeserializedAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.WholeJsonArrayDeserialized,
        title: "Whole JSON array deserialized",
        messageFormat: "The JSON array in {0} is deserialized whole into '{1}', then used one element at a time; {2} with JsonSerializer.DeserializeAsyncEnumerable<{3}>()",
        RuleCategories.Memory,
        DiagnosticSeverity.Info,
        description: "Deserializing a JSON array into a list holds every element (and, from a file read with ReadAllText, the "
            + "whole text) in memory before the first one is used. Where the elements are then used one at a time, "
            + "JsonSerializer.DeserializeAsyncEnumerable reads a top-level array from a stream one element at a time.");

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
        if (JsonArrays.CollectedAsyncEnumerable(call, types) is { } streamed)
        {
            // The stream was there, and ToListAsync collects it whole again.
            if (JsonArrays.ReadsDocument(streamed, types) && JsonArrays.IsUsedElementByElement(call))
            {
                var streamedElement = streamed.TargetMethod.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
                context.ReportDiagnostic(Diagnostic.Create(
                    Rule,
                    call.Syntax.GetLocation(),
                    Describe(streamed.Arguments[0].Value.WalkDownConversion()),
                    call.Type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } task ? task.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) : call.TargetMethod.Name,
                    $"use each element as it arrives, without {call.TargetMethod.Name}(),",
                    streamedElement));
            }

            return;
        }

        if (JsonArrays.ElementOfDeserializedList(call, types) is not { } element
            || !JsonArrays.ReadsDocument(call, types)
            || !JsonArrays.IsUsedElementByElement(call))
        {
            return;
        }

        var input = call.Arguments[0].Value.WalkDownConversion();
        var sourceName = Describe(input);
        var fromText = input.Type?.SpecialType == SpecialType.System_String;
        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            call.Syntax.GetLocation(),
            sourceName,
            call.TargetMethod.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
            fromText ? "open the file as a stream (File.OpenRead) and read it" : "stream it",
            element.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
    }

    private static string Describe(IOperation input)
    {
        var source = input.Syntax.ToString();
        return source.Length <= 60 && source.IndexOf('\n') < 0 ? $"'{source}'" : "the input";
    }
}
