using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Analyzers.Shapes;
using Sluice.Contract;

namespace Sluice.Analyzers.Memory;

/// <summary>
/// SLU107: finds a loop over an unbounded stream (a query, an async stream, File.ReadLines, a data reader) whose body
/// only accumulates into a collection that outlives the loop, which turns the stream back into the whole dataset in
/// memory. "Only accumulates" is strict: the body's statements are Add-like calls or dictionary indexer sets on such
/// collections, local declarations, <c>continue</c>, and <c>if</c>s made of the same. A body that does anything else —
/// flushes in batches, clears the collection, reassigns it, calls a method, awaits (but for a polling loop's awaited
/// receive) — is left alone.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class StreamAccumulatedAnalyzer : DiagnosticAnalyzer
{
    private static INamedTypeSymbol?[] CollectionTypes(KnownTypes types) =>
    [
        types.GenericList,
        types.GenericHashSet,
        types.GenericDictionary,
        types.GenericSortedDictionary,
        types.GenericSortedList,
        types.GenericSortedSet,
        types.GenericQueue,
        types.GenericStack,
        types.GenericLinkedList,
        types.ConcurrentBag,
        types.ConcurrentQueue,
        types.ConcurrentStack,
        types.ConcurrentDictionary,
    ];

    /// <summary>The diagnostic property with the batch size for the fix.</summary>
    internal const string BatchSizeProperty = "BatchSize";

    internal static readonly IntOption BatchSize = new(
        RuleIds.StreamAccumulated, "batch_size", defaultValue: 1000, min: 1, max: RuntimeContract.Batching.MaxBatchSize,
        "The number of items per batch in the fix's InBatches(n).");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.StreamAccumulated,
        title: "Stream accumulated into an unbounded in-memory collection",
        messageFormat: "'{0}' collects every item of {1} and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them",
        RuleCategories.Memory,
        DiagnosticSeverity.Warning,
        description: "Streaming a query, a file or a reader only helps if the items are let go. A loop that adds every item "
            + "to a list, set or dictionary declared outside it rebuilds the whole dataset in memory. Process the items as "
            + "they arrive, or in fixed-size batches.");

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
            var collections = CollectionTypes(types)
                .Where(type => type is not null)
                .Cast<INamedTypeSymbol>()
                .ToImmutableHashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
            var sources = new StreamedSources(types);
            start.RegisterOperationAction(c => AnalyzeLoop(c, sources, collections), OperationKind.Loop);
        });
    }

    private static void AnalyzeLoop(OperationAnalysisContext context, StreamedSources sources, ImmutableHashSet<INamedTypeSymbol> collections)
    {
        var loop = (ILoopOperation)context.Operation;
        var accumulations = new List<(ISymbol Target, IOperation Operation)>();
        // A polling loop's receive is part of the stream, awaited or not.
        var received = sources.ReceivedMessage(loop);
        if (!OnlyAccumulates(loop.Body, collections, accumulations, received) || accumulations.Count == 0)
        {
            return;
        }

        var source = sources.Describe(loop);
        if (source is null)
        {
            return;
        }

        // ToListAsync<T>(this IAsyncEnumerable<T> items) and its kind: collecting the caller's stream is the contract.
        var isHelper = StreamedSources.IsGenericHelperOverCallersStream(loop, context.ContainingSymbol);

        var reported = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        ImmutableDictionary<string, string?>? properties = null;
        foreach (var (target, operation) in accumulations)
        {
            if (reported.Add(target) && OutlivesLoop(target, loop) && !(isHelper && IsReturned(target, loop)))
            {
                properties ??= ImmutableDictionary<string, string?>.Empty.Add(
                    BatchSizeProperty, BatchSize.Read(context.Options, loop.Syntax.SyntaxTree).ToString(CultureInfo.InvariantCulture));
                context.ReportDiagnostic(Diagnostic.Create(Rule, operation.Syntax.GetLocation(), properties, target.Name, source));
            }
        }
    }

    /// <summary>True when every statement of <paramref name="operation"/> only accumulates (see the class summary).</summary>
    private static bool OnlyAccumulates(IOperation operation, ImmutableHashSet<INamedTypeSymbol> collections, List<(ISymbol, IOperation)> accumulations, ILocalSymbol? received)
    {
        switch (operation)
        {
            case IBlockOperation block:
                return block.Operations.All(statement => OnlyAccumulates(statement, collections, accumulations, received));
            case IEmptyOperation:
            case IBranchOperation { BranchKind: BranchKind.Continue }:
                return true;
            case IVariableDeclarationGroupOperation declarations:
                return !declarations.Descendants().Any(d => d is IAwaitOperation)
                    || (received is not null && declarations.Declarations.SelectMany(d => d.Declarators).Select(d => d.Symbol).SequenceEqual([received], SymbolEqualityComparer.Default));
            case IConditionalOperation conditional:
                return !conditional.Condition.Descendants().Any(d => d is IAwaitOperation)
                    && OnlyAccumulates(conditional.WhenTrue, collections, accumulations, received)
                    && (conditional.WhenFalse is null || OnlyAccumulates(conditional.WhenFalse, collections, accumulations, received));
            case IExpressionStatementOperation { Operation: var expression }:
                if (Accumulation(expression, collections) is not { } target || expression.Descendants().Any(d => d is IAwaitOperation))
                {
                    return false;
                }

                accumulations.Add((target, expression));
                return true;
            default:
                return false;
        }
    }

    /// <summary>The collection an Add-like call or a dictionary indexer set grows, or null for anything else.</summary>
    private static ISymbol? Accumulation(IOperation expression, ImmutableHashSet<INamedTypeSymbol> collections)
    {
        switch (expression)
        {
            case IInvocationOperation { TargetMethod.Name: "Add" or "AddRange" or "TryAdd" or "Enqueue" or "Push" or "PushRange" or "AddLast" or "AddFirst", Instance: { } instance }
                when IsCollection(instance.Type, collections):
                return Variable(instance);
            case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } dictionary }, Value: var value }
                when IsCollection(dictionary.Type, collections):
                // counts[key] = counts[key] + 1 aggregates per key: it grows with the keys, not the items.
                var target = Variable(dictionary);
                return target is null || value.DescendantsAndSelf().Any(d => SymbolEqualityComparer.Default.Equals(Variable(d), target)) ? null : target;
            default:
                return null;
        }
    }

    private static bool IsCollection(ITypeSymbol? type, ImmutableHashSet<INamedTypeSymbol> collections)
        => type is INamedTypeSymbol named && collections.Contains(named.OriginalDefinition);

    /// <summary>A local or a field (of this instance or static); null for anything the rule cannot follow.</summary>
    private static ISymbol? Variable(IOperation operation)
        => operation.WalkDownConversion() switch
        {
            ILocalReferenceOperation local => local.Local,
            IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
            _ => null,
        };

    /// <summary>The member returns the collection (a local) after the loop.</summary>
    private static bool IsReturned(ISymbol target, ILoopOperation loop)
        => target is ILocalSymbol
            && loop.Root().Descendants().OfType<IReturnOperation>().Any(r =>
                r.ReturnedValue?.WalkDownConversion() is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, target));

    /// <summary>A field always outlives the loop; a local does when it is declared before the loop and used after it.</summary>
    private static bool OutlivesLoop(ISymbol target, ILoopOperation loop)
    {
        if (target is IFieldSymbol)
        {
            return true;
        }

        var loopSpan = loop.Syntax.Span;
        if (target.DeclaringSyntaxReferences.Any(reference => loopSpan.Contains(reference.Span)))
        {
            return false;
        }

        return loop.Root().Descendants().Any(operation =>
            operation is ILocalReferenceOperation local
            && SymbolEqualityComparer.Default.Equals(local.Local, target)
            && operation.Syntax.SpanStart > loopSpan.End);
    }
}
