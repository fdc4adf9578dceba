using System;
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
/// SLU101: finds an EF Core query materialized whole — <c>ToList</c>, <c>ToArray</c>, <c>ToDictionary</c>,
/// <c>ToHashSet</c>, <c>ToLookup</c> and EF Core's async forms — when the query starts at a <c>DbSet</c> and nothing in
/// its chain bounds the rows (<c>Take</c>, a key lookup, a configured bound method).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnboundedQueryMaterializedAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The name of the query's source (the DbSet member) in the diagnostic's properties.</summary>
    internal const string SourceNameProperty = "SourceName";

    /// <summary>The batch size the runtime fix writes, in the diagnostic's properties.</summary>
    internal const string BatchSizeProperty = "BatchSize";

    /// <summary>The batch size the runtime fix writes unless configured.</summary>
    internal const int DefaultBatchSize = 1000;

    internal static readonly StringOption BoundedMethods = new(
        RuleIds.UnboundedQueryMaterialized, "bounded_methods", defaultValue: "",
        "Comma-separated names of your own query methods that bound the rows (e.g. a paging helper): 'Page, TakePage'.");

    internal static readonly StringOption IgnoredTypes = new(
        RuleIds.UnboundedQueryMaterialized, "ignored_types", defaultValue: "",
        "Comma-separated entity or element types (simple or full names) whose tables are small enough to load whole: 'Country, Currency'.");

    internal static readonly BoolOption ParentFiltersBound = new(
        RuleIds.UnboundedQueryMaterialized, "parent_filters_bound", defaultValue: true,
        "Whether a key-like column equal to a variable (the rows of one parent: o.CustomerId == id) bounds a query; false where one parent can own an unbounded number of rows.");

    internal static readonly IntOption BatchSize = new(
        RuleIds.UnboundedQueryMaterialized, "batch_size", defaultValue: DefaultBatchSize, min: 1, max: RuntimeContract.Batching.MaxBatchSize,
        "The batch size the runtime fix passes to InBatches.");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.UnboundedQueryMaterialized,
        title: "Unbounded query materialized in memory",
        messageFormat: "'{0}' is loaded whole by {1}(); stream it with {2} or process it in batches",
        RuleCategories.Memory,
        DiagnosticSeverity.Info,
        description: "A query with no bound (Take, paging, a key lookup) returns every row of its table. Materializing it "
            + "holds them all in memory at once: fine on a dev sample, an out-of-memory crash on production data. Stream "
            + "the rows (AsAsyncEnumerable/AsEnumerable) or process them in batches.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var query = QueryChain.TryCreate(KnownTypes.Of(start.Compilation));
            if (query is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeInvocation(c, query), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, QueryChain query)
    {
        var call = (IInvocationOperation)context.Operation;
        if (!query.IsMaterialization(call.TargetMethod) || call.Arguments.Length == 0 || ReferenceData.IsSeeding(context.ContainingSymbol))
        {
            return;
        }

        var tree = call.Syntax.SyntaxTree;
        var bounds = new QueryBounds(ParseList(BoundedMethods.Read(context.Options, tree)), ParentFiltersBound.Read(context.Options, tree));
        if (query.FindUnboundedSource(call.Arguments[0].Value, bounds) is not { } source)
        {
            return;
        }

        var ignored = ParseList(IgnoredTypes.Read(context.Options, tree));
        if (ignored.Length > 0 && (IsIgnored(source.EntityType, ignored) || IsIgnored(source.ElementType, ignored)))
        {
            return;
        }

        var method = call.TargetMethod;
        var isAsync = method.Name.EndsWith("Async", StringComparison.Ordinal)
            || context.ContainingSymbol is IMethodSymbol { IsAsync: true };
        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(SourceNameProperty, source.Name)
            .Add(BatchSizeProperty, BatchSize.Read(context.Options, tree).ToString(CultureInfo.InvariantCulture));
        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            call.Syntax.GetLocation(),
            properties,
            source.Name,
            method.Name,
            isAsync ? "AsAsyncEnumerable()" : "AsEnumerable()"));
    }

    private static string[] ParseList(string text)
        => text.Length == 0
            ? Array.Empty<string>()
            : text.Split(',').Select(item => item.Trim()).Where(item => item.Length > 0).ToArray();

    private static bool IsIgnored(ITypeSymbol? type, string[] ignored)
    {
        if (type is null)
        {
            return false;
        }

        var fullName = type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
        return ignored.Any(name => string.Equals(name, type.Name, StringComparison.Ordinal) || string.Equals(name, fullName, StringComparison.Ordinal));
    }
}
