using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;

namespace Sluice.Analyzers.Concurrency;

/// <summary>
/// SLU501: finds <c>Task.WhenAll(source.Select(x =&gt; WorkAsync(x)))</c> over data whose size is not a small constant:
/// ids, keys, names, lines, records, batches. Every item's task starts at once, so a run over 100 000 records opens
/// 100 000 connections or requests. Silent over components (providers, services, subscribers, agents, topology
/// entities: interfaces, abstract or async-capable types), over bounded sources (literals, small constant ranges,
/// <c>Take(n)</c>, a batch of <c>Chunk(n)</c>, a page read with a limit), when a <c>SemaphoreSlim</c> gates the work,
/// over a public batch API's caller-supplied collection, and over the object's own collection properties. See
/// <see cref="FanOut"/>.
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
        DiagnosticSeverity.Info,
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
        if (fanOut.IsBounded(types, maxConstant)
            || fanOut.IsGated(types)
            || fanOut.IsCallersBatch()
            || fanOut.IsObjectState()
            || !fanOut.ItemsAreData(types))
        {
            return;
        }

        var properties = ImmutableDictionary<string, string?>.Empty.Add(
            MaxDegreeOfParallelismProperty,
            MaxDegreeOfParallelism.Read(context.Options, tree).ToString(CultureInfo.InvariantCulture));
        context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), properties, Describe(fanOut.Source)));
    }

    /// <summary>The source as the message names it: its variable or member name, or its (short) expression; for a query clause, the collection it reads.</summary>
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
            case IInvocationOperation { Syntax: not InvocationExpressionSyntax, Arguments.Length: > 0 } clause:
                // A clause of a query expression ('where id > 0'): name the collection it filters.
                return Describe(clause.Arguments[0].Value);
        }

        var text = source.Syntax.ToString();
        return text.Length <= 60 && text.IndexOf('\n') < 0
            ? text
            : source is IInvocationOperation call ? call.TargetMethod.Name + "(...)" : text.Substring(0, 57).Replace("\n", " ") + "...";
    }
}
