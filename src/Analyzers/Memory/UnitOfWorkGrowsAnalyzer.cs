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
/// SLU108: finds EF Core <c>Add</c>/<c>AddRange</c>/<c>Update</c>/<c>Attach</c> (and their Async and Range forms, on a
/// DbContext or a DbSet) inside a loop over an unbounded stream (see <see cref="StreamedSources"/>), on a context that is
/// saved once, after the loop. The change tracker then holds every entity of the job until that one SaveChanges. Silent
/// when the loop saves or clears the tracker itself, or when no SaveChanges on the same context follows the loop.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnitOfWorkGrowsAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property with the batch size for the fix.</summary>
    internal const string BatchSizeProperty = "BatchSize";

    internal static readonly IntOption BatchSize = new(
        RuleIds.UnitOfWorkGrows, "batch_size", defaultValue: 1000, min: 1, max: RuntimeContract.Batching.MaxBatchSize,
        "The number of items the fix saves and clears the change tracker after.");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.UnitOfWorkGrows,
        title: "Unit of work grows for the whole job",
        messageFormat: "'{0}' tracks every entity of this loop over {1} until the one SaveChanges after it, so the change tracker grows for the whole job; save and clear it every batch",
        RuleCategories.Memory,
        DiagnosticSeverity.Warning,
        description: "EF Core keeps every added, updated or attached entity in the change tracker until SaveChanges, and "
            + "keeps tracking them after it. A loop over a whole query, file or stream with one SaveChanges at the end holds "
            + "the whole job in memory and sends it in one giant transaction. Save and clear the tracker every batch.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Of(start.Compilation);
            if (EfTracking.TryCreate(known) is not { } types)
            {
                return;
            }

            var sources = new StreamedSources(known);
            start.RegisterOperationAction(c => AnalyzeLoop(c, types, sources), OperationKind.Loop);
        });
    }

    private static void AnalyzeLoop(OperationAnalysisContext context, EfTracking ef, StreamedSources sources)
    {
        var loop = (ILoopOperation)context.Operation;
        var track = loop.Body.Descendants().OfType<IInvocationOperation>().FirstOrDefault(ef.IsTrackingCall);
        if (track is null
            || ef.ContextOf(track) is not { } dbContext
            || sources.Describe(loop) is not { } source
            || InsideStreamedLoop(loop, sources)
            || loop.Body.Descendants().OfType<IInvocationOperation>().Any(ef.IsSaveOrClear)
            || ef.SaveAfter(loop, dbContext) is null)
        {
            return;
        }

        var size = BatchSize.Read(context.Options, loop.Syntax.SyntaxTree);
        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            track.Syntax.GetLocation(),
            additionalLocations: [loop.Syntax.GetLocation()],
            properties: ImmutableDictionary<string, string?>.Empty.Add(BatchSizeProperty, size.ToString(CultureInfo.InvariantCulture)),
            dbContext.Name,
            source));
    }

    /// <summary>A loop nested in another streamed loop is left to the outer one, so one job gets one diagnostic.</summary>
    private static bool InsideStreamedLoop(ILoopOperation loop, StreamedSources sources)
    {
        for (var parent = loop.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return false;
            }

            if (parent is ILoopOperation outer && sources.Describe(outer) is not null)
            {
                return true;
            }
        }

        return false;
    }
}
