using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;
using Sluice.Contract;

namespace Sluice.Analyzers.Concurrency;

/// <summary>
/// SLU501: finds <c>Task.WhenAll(source.Select(x =&gt; WorkAsync(x)))</c> over a collection whose size is not a small
/// constant. Every item's task starts at once, so a run over 100 000 records opens 100 000 connections or requests.
/// Sources written out in the code (array and collection literals), small constant ranges, <c>Take(n)</c> and a batch of
/// <c>Chunk(n)</c> are bounded and stay silent.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnboundedFanOutAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property that carries the degree of parallelism the fix writes.</summary>
    internal const string MaxDegreeOfParallelismProperty = "MaxDegreeOfParallelism";

    internal static readonly IntOption MaxConstantFanOut = new(
        RuleIds.UnboundedFanOut, "max_constant_fan_out", defaultValue: 16, min: 0, max: int.MaxValue,
        "The largest constant count (Enumerable.Range, Repeat, Take, new T[n]) that is not reported.");

    internal static readonly IntOption MaxDegreeOfParallelism = new(
        RuleIds.UnboundedFanOut, "max_degree_of_parallelism", defaultValue: 8, min: 1, max: 1024,
        "The MaxDegreeOfParallelism the fix writes.");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.UnboundedFanOut,
        title: "Unbounded fan-out",
        messageFormat: "Task.WhenAll starts a task for every item of '{0}' at once; bound how many run together (Parallel.ForEachAsync with MaxDegreeOfParallelism)",
        RuleCategories.Concurrency,
        DiagnosticSeverity.Warning,
        description: "Task.WhenAll over a Select of async calls starts every call at once. Over a collection of unknown size "
            + "that is thousands of concurrent connections or requests: pools run dry, servers throttle, memory spikes. "
            + "Bound the concurrency with Parallel.ForEachAsync and MaxDegreeOfParallelism, or a partitioned pipeline.");

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
            if (types.Task is null || types.Enumerable is null)
            {
                return;
            }

            start.RegisterOperationAction(c => Analyze(c, types), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod.Name != "WhenAll"
            || FanOut.Find(invocation, types) is not { } fanOut
            || !fanOut.StartsAsyncWork(types))
        {
            return;
        }

        var tree = invocation.Syntax.SyntaxTree;
        var maxConstant = MaxConstantFanOut.Read(context.Options, tree);
        if (IsBounded(fanOut.Source, types, maxConstant, depth: 0))
        {
            return;
        }

        var properties = ImmutableDictionary<string, string?>.Empty.Add(
            MaxDegreeOfParallelismProperty,
            MaxDegreeOfParallelism.Read(context.Options, tree).ToString(CultureInfo.InvariantCulture));
        context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), properties, Describe(fanOut.Source)));
    }

    /// <summary>
    /// True when the source's size is known to be small: a literal, a constant count up to <paramref name="maxConstant"/>,
    /// a deliberate bound (<c>Take</c> of a non-constant count, <c>Range</c> of a count that is not a collection's size,
    /// a batch of <c>Chunk</c>/<c>InBatches</c>), or a local initialized with one of those and never reassigned.
    /// </summary>
    private static bool IsBounded(IOperation source, KnownTypes types, int maxConstant, int depth)
    {
        source = source.WalkDownConversion();
        switch (source)
        {
            case IArrayCreationOperation array:
                return array.Initializer is not null
                    || array.DimensionSizes.All(size => IsSmallConstant(size, maxConstant));
            case ICollectionExpressionOperation collection:
                return !collection.Elements.Any(element => element is ISpreadOperation);
            case IObjectCreationOperation { Initializer: not null } created:
                return created.Arguments.Length == 0;
            case IInvocationOperation call when types.IsEnumerableMethod(call.TargetMethod, "Range") || types.IsEnumerableMethod(call.TargetMethod, "Repeat"):
                // Range(0, workers) is a worker pool; Range(0, items.Count) is one task per item.
                return call.Arguments.Length == 2
                    && (IsSmallConstant(call.Arguments[1].Value, maxConstant)
                        || (!call.Arguments[1].Value.ConstantValue.HasValue && !IsCollectionSize(call.Arguments[1].Value, types)));
            case IInvocationOperation call when types.IsEnumerableMethod(call.TargetMethod, "Take"):
                return call.Arguments.Length == 2
                    && (IsSmallConstant(call.Arguments[1].Value, maxConstant) || !call.Arguments[1].Value.ConstantValue.HasValue);
            case ILocalReferenceOperation local when IsBatchOfForEach(local, types):
                return true;
            case ILocalReferenceOperation local when depth < 4
                && LocalValues.OnlyDeclarator(local.Local, source.Root()) is { Initializer: { } initializer }:
                return IsBounded(initializer.Value, types, maxConstant, depth + 1);
            default:
                return false;
        }
    }

    private static bool IsSmallConstant(IOperation count, int maxConstant)
        => count.ConstantValue is { HasValue: true, Value: int value } && value <= maxConstant;

    private static bool IsCollectionSize(IOperation count, KnownTypes types)
        => count.WalkDownConversion() switch
        {
            IPropertyReferenceOperation property => property.Property.Name is "Count" or "Length" or "LongLength",
            IInvocationOperation call => types.IsEnumerableMethod(call.TargetMethod, "Count") || types.IsEnumerableMethod(call.TargetMethod, "LongCount"),
            _ => false,
        };

    /// <summary><c>foreach (var batch in items.Chunk(n))</c> (or the runtime's InBatches): a batch's size is bounded by n.</summary>
    private static bool IsBatchOfForEach(ILocalReferenceOperation reference, KnownTypes types)
    {
        for (var parent = reference.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is IForEachLoopOperation loop && loop.Locals.Contains(reference.Local, SymbolEqualityComparer.Default))
            {
                return loop.Collection.WalkDownConversion() is IInvocationOperation batches
                    && (types.IsEnumerableMethod(batches.TargetMethod, "Chunk")
                        || (batches.TargetMethod is { Name: RuntimeContract.Batching.InBatches } && SymbolEqualityComparer.Default.Equals(batches.TargetMethod.ContainingType, types.SluiceBatchingExtensions)));
            }
        }

        return false;
    }

    /// <summary>The source as the message names it: its variable or member name, or its (short) expression.</summary>
    private static string Describe(IOperation source)
    {
        source = source.WalkDownConversion();
        switch (source)
        {
            case ILocalReferenceOperation local:
                return local.Local.Name;
            case IParameterReferenceOperation parameter:
                return parameter.Parameter.Name;
            case IFieldReferenceOperation field:
                return field.Field.Name;
            case IPropertyReferenceOperation property:
                return property.Property.Name;
        }

        var text = source.Syntax.ToString();
        return text.Length <= 60 && text.IndexOf('\n') < 0
            ? text
            : source is IInvocationOperation call ? call.TargetMethod.Name + "(...)" : text.Substring(0, 57).Replace("\n", " ") + "...";
    }
}
