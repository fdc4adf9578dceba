using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

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
        RuleIds.UnitOfWorkGrows, "batch_size", defaultValue: 1000, min: 1, max: 1_000_000,
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
            var types = EfTracking.TryCreate(start.Compilation);
            if (types is null)
            {
                return;
            }

            var sources = new StreamedSources(start.Compilation);
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

/// <summary>EF Core's DbContext and DbSet, resolved once per compilation, and the calls SLU108 and its fix look for.</summary>
internal sealed class EfTracking
{
    private readonly INamedTypeSymbol _dbContext;
    private readonly INamedTypeSymbol? _dbSet;
    private readonly INamedTypeSymbol? _changeTracker;

    private EfTracking(INamedTypeSymbol dbContext, Compilation compilation)
    {
        _dbContext = dbContext;
        _dbSet = compilation.GetTypeByMetadataName("Microsoft.EntityFrameworkCore.DbSet`1");
        _changeTracker = compilation.GetTypeByMetadataName("Microsoft.EntityFrameworkCore.ChangeTracking.ChangeTracker");
    }

    public static EfTracking? TryCreate(Compilation compilation)
        => compilation.GetTypeByMetadataName("Microsoft.EntityFrameworkCore.DbContext") is { } dbContext
            ? new EfTracking(dbContext, compilation)
            : null;

    /// <summary>Add, AddRange, Update, Attach and their Range and Async forms, on a DbContext or a DbSet.</summary>
    public bool IsTrackingCall(IInvocationOperation call)
        => call.TargetMethod.Name is "Add" or "AddAsync" or "AddRange" or "AddRangeAsync" or "Update" or "UpdateRange" or "Attach" or "AttachRange"
            && (IsDbContext(call.TargetMethod.ContainingType) || IsDbSet(call.TargetMethod.ContainingType));

    /// <summary>SaveChanges(Async) on any context, or ChangeTracker.Clear().</summary>
    public bool IsSaveOrClear(IInvocationOperation call)
        => (call.TargetMethod.Name is "SaveChanges" or "SaveChangesAsync" && IsDbContext(call.TargetMethod.ContainingType))
            || (call.TargetMethod.Name == "Clear" && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, _changeTracker));

    /// <summary>The local, parameter, field or property that holds the context the call tracks on; null when the rule cannot name it.</summary>
    public ISymbol? ContextOf(IInvocationOperation call)
    {
        var instance = call.Instance?.WalkDownConversion();
        if (instance is not null && IsDbSet(instance.Type))
        {
            // db.Orders.Add(...) or db.Set<Order>().Add(...)
            instance = instance switch
            {
                IPropertyReferenceOperation property => property.Instance,
                IInvocationOperation { TargetMethod.Name: "Set" } set => set.Instance,
                _ => null,
            };
        }

        return instance is not null && IsDbContext(instance.Type) ? Variable(instance) : null;
    }

    /// <summary>The first SaveChanges(Async) on <paramref name="dbContext"/> after the loop in the same member, or null.</summary>
    public IInvocationOperation? SaveAfter(ILoopOperation loop, ISymbol dbContext)
    {
        var end = loop.Syntax.Span.End;
        return loop.Root().Descendants()
            .OfType<IInvocationOperation>()
            .FirstOrDefault(call => call.Syntax.SpanStart > end
                && call.TargetMethod.Name is "SaveChanges" or "SaveChangesAsync"
                && IsDbContext(call.TargetMethod.ContainingType)
                && call.Instance is { } instance
                && SymbolEqualityComparer.Default.Equals(Variable(instance.WalkDownConversion()), dbContext));
    }

    public bool IsDbContext(ITypeSymbol? type) => TypeSymbols.BaseOrSelf(type, _dbContext) is not null;

    private bool IsDbSet(ITypeSymbol? type) => TypeSymbols.BaseOrSelf(type, _dbSet) is not null;

    /// <summary>A local, parameter, field or property (of this instance or static).</summary>
    public static ISymbol? Variable(IOperation? operation)
        => operation?.WalkDownConversion() switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
            IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation, Property.IsIndexer: false } property => property.Property,
            _ => null,
        };
}
