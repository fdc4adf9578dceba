using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// EF Core's change tracking: the calls that make the context track an entity (Add, Update, Attach...), the calls that
/// let it go (SaveChanges, ChangeTracker.Clear), and which context a call tracks on. Used by SLU108 and its fix.
/// </summary>
internal sealed class EfTracking
{
    private readonly INamedTypeSymbol _dbContext;
    private readonly INamedTypeSymbol? _dbSet;
    private readonly INamedTypeSymbol? _changeTracker;

    private EfTracking(INamedTypeSymbol dbContext, KnownTypes types)
    {
        _dbContext = dbContext;
        _dbSet = types.DbSet;
        _changeTracker = types.ChangeTracker;
    }

    /// <summary>Null without EF Core.</summary>
    public static EfTracking? TryCreate(KnownTypes types)
        => types.DbContext is { } dbContext ? new EfTracking(dbContext, types) : null;

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
