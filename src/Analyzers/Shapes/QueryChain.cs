using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// Reads an EF Core query chain backwards from where it is materialized — <c>db.Orders.Where(...).ToList()</c> — to the
/// <c>DbSet</c> it starts at, and tells whether anything on the way bounds the rows. Types are resolved once per
/// compilation.
/// </summary>
internal sealed class QueryChain
{
    private static readonly string[] SyncMaterializers = ["ToList", "ToArray", "ToDictionary", "ToHashSet", "ToLookup"];
    private static readonly string[] AsyncMaterializers = ["ToListAsync", "ToArrayAsync", "ToDictionaryAsync", "ToHashSetAsync"];

    /// <summary>Query operators that bound the rows a query returns (the others here end the query with one value).</summary>
    private static readonly string[] BoundingMethods =
    [
        "Take", "TakeLast", "TakeWhile",
        "First", "FirstOrDefault", "Single", "SingleOrDefault", "Last", "LastOrDefault", "ElementAt", "ElementAtOrDefault",
        "Find", "Count", "LongCount", "Any", "All", "Contains", "Sum", "Min", "Max", "Average", "Aggregate", "MinBy", "MaxBy",
    ];

    private readonly INamedTypeSymbol _dbSet;
    private readonly INamedTypeSymbol? _dbContext;
    private readonly INamedTypeSymbol? _enumerable;
    private readonly INamedTypeSymbol? _queryableExtensions;
    private readonly INamedTypeSymbol _queryable;

    private QueryChain(KnownTypes types, INamedTypeSymbol dbSet, INamedTypeSymbol queryable)
    {
        _dbSet = dbSet;
        _queryable = queryable;
        _dbContext = types.DbContext;
        _enumerable = types.Enumerable;
        _queryableExtensions = types.EntityFrameworkQueryableExtensions;
    }

    /// <summary>Null when EF Core is not referenced: then there is no DbSet for a query to start at.</summary>
    public static QueryChain? TryCreate(KnownTypes types)
        => types.DbSet is { } dbSet && types.Queryable is { } queryable
            ? new QueryChain(types, dbSet, queryable)
            : null;

    /// <summary>System.Linq's ToList/ToArray/ToDictionary/ToHashSet/ToLookup, or EF Core's ToListAsync and friends.</summary>
    public bool IsMaterialization(IMethodSymbol method)
    {
        var declaring = (method.ReducedFrom ?? method).ContainingType;
        if (Array.IndexOf(SyncMaterializers, method.Name) >= 0)
        {
            return SymbolEqualityComparer.Default.Equals(declaring, _enumerable);
        }

        return Array.IndexOf(AsyncMaterializers, method.Name) >= 0 && SymbolEqualityComparer.Default.Equals(declaring, _queryableExtensions);
    }

    /// <summary>
    /// The DbSet an unbounded query starts at, or null when the query is bounded, is not an EF Core query, or its
    /// source cannot be seen (a parameter, a method's result): when in doubt, nothing is reported.
    /// </summary>
    public QuerySource? FindUnboundedSource(IOperation materialized, string[] extraBounds)
    {
        var query = materialized.WalkDownConversion();
        if (!IsQueryable(query.Type))
        {
            return null;
        }

        var result = Walk(query, extraBounds, new List<ILocalSymbol>());
        return result.Source is { } source ? new QuerySource(source.Name, source.EntityType, ElementType(query.Type)) : null;
    }

    private Step Walk(IOperation operation, string[] extraBounds, List<ILocalSymbol> following)
    {
        while (true)
        {
            operation = operation.WalkDownConversion();
            switch (operation)
            {
                case IPropertyReferenceOperation property when EntityOf(property.Type) is { } entity:
                    return Step.Root(property.Property.Name, entity);
                case IFieldReferenceOperation field when EntityOf(field.Type) is { } entity:
                    return Step.Root(field.Field.Name, entity);
                case IInvocationOperation call when IsSetOfContext(call) && EntityOf(call.Type) is { } entity:
                    return Step.Root($"Set<{entity.Name}>()", entity);
                case IInvocationOperation call when call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 && IsQueryable(call.Type):
                    var name = call.TargetMethod.Name;
                    if (Array.IndexOf(BoundingMethods, name) >= 0 || Array.IndexOf(extraBounds, name) >= 0 || IsKeyLookup(call))
                    {
                        return Step.Bounded;
                    }

                    // Raw SQL says its own LIMIT (or not); the rule cannot read it.
                    if (name.StartsWith("FromSql", StringComparison.Ordinal))
                    {
                        return Step.Unknown;
                    }

                    operation = call.Arguments[0].Value;
                    continue;
                case ILocalReferenceOperation local:
                    return FollowLocal(local, extraBounds, following);
                default:
                    return Step.Unknown;
            }
        }
    }

    /// <summary>
    /// A query kept in a local (<c>var q = db.Orders; if (x) q = q.Where(...);</c>): every value assigned to it must
    /// continue the same unbounded query. A bound in any of them (even one applied conditionally) silences the rule.
    /// </summary>
    private Step FollowLocal(ILocalReferenceOperation reference, string[] extraBounds, List<ILocalSymbol> following)
    {
        var local = reference.Local;
        if (following.Any(l => SymbolEqualityComparer.Default.Equals(l, local)))
        {
            return Step.Self;
        }

        following.Add(local);
        Step? root = null;
        foreach (var operation in reference.Root().Descendants())
        {
            IOperation? value = null;
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    value = declarator.Initializer?.Value;
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when SymbolEqualityComparer.Default.Equals(target.Local, local):
                    value = assignment.Value;
                    break;
                case ILocalReferenceOperation { Parent: IArgumentOperation { Parameter.RefKind: not RefKind.None and not RefKind.In } } byRef
                    when SymbolEqualityComparer.Default.Equals(byRef.Local, local):
                    return Step.Unknown;
                case IDeconstructionAssignmentOperation:
                    return Step.Unknown;
            }

            if (value is null)
            {
                continue;
            }

            var step = Walk(value, extraBounds, following);
            if (step.Source is not null)
            {
                root ??= step;
            }
            else if (!step.IsSelf)
            {
                return step;
            }
        }

        following.Remove(local);
        return root ?? Step.Unknown;
    }

    /// <summary>
    /// <c>Where(x =&gt; x.Id == id)</c>, <c>Where(x =&gt; x.OrderId == id &amp;&amp; ...)</c> or <c>Where(x =&gt; ids.Contains(x.Id))</c>:
    /// a filter on the entity's key (by EF Core's naming convention or [Key]) returns at most as many rows as values given.
    /// </summary>
    private bool IsKeyLookup(IInvocationOperation call)
    {
        if (call.TargetMethod.Name != "Where" || call.Arguments.Length != 2)
        {
            return false;
        }

        var predicate = call.Arguments[1].Value.WalkDownConversion();
        if (predicate is IDelegateCreationOperation creation)
        {
            predicate = creation.Target;
        }

        if (predicate is not IAnonymousFunctionOperation { Symbol.Parameters.Length: 1 } lambda
            || lambda.Body.Operations.FirstOrDefault() is not IReturnOperation { ReturnedValue: { } condition })
        {
            return false;
        }

        return IsKeyCondition(condition, lambda.Symbol.Parameters[0]);
    }

    private bool IsKeyCondition(IOperation condition, IParameterSymbol row)
    {
        condition = condition.WalkDownConversion();
        switch (condition)
        {
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and:
                return IsKeyCondition(and.LeftOperand, row) || IsKeyCondition(and.RightOperand, row);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals } equals:
                return (IsKey(equals.LeftOperand, row) && !Mentions(equals.RightOperand, row))
                    || (IsKey(equals.RightOperand, row) && !Mentions(equals.LeftOperand, row));
            case IInvocationOperation { TargetMethod.Name: "Contains" } contains:
                var (values, item) = contains.Instance is { } instance
                    ? (instance, contains.Arguments.FirstOrDefault()?.Value)
                    : (contains.Arguments.FirstOrDefault()?.Value, contains.Arguments.Length == 2 ? contains.Arguments[1].Value : null);
                return values is not null && item is not null
                    && IsKey(item, row)
                    && !Mentions(values, row)
                    && !IsQueryable(values.WalkDownConversion().Type);
            default:
                return false;
        }
    }

    private static bool IsKey(IOperation operation, IParameterSymbol row)
    {
        if (operation.WalkDownConversion() is not IPropertyReferenceOperation { Instance: IParameterReferenceOperation owner } property
            || !SymbolEqualityComparer.Default.Equals(owner.Parameter, row))
        {
            return false;
        }

        var name = property.Property.Name;
        return string.Equals(name, "Id", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, row.Type.Name + "Id", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, property.Property.ContainingType.Name + "Id", StringComparison.OrdinalIgnoreCase)
            || property.Property.GetAttributes().Any(a => a.AttributeClass is { Name: "KeyAttribute" });
    }

    private static bool Mentions(IOperation operation, IParameterSymbol parameter)
        => operation.DescendantsAndSelf().Any(o => o is IParameterReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter));

    private bool IsSetOfContext(IInvocationOperation call)
        => call.TargetMethod is { Name: "Set", IsStatic: false } method
            && _dbContext is not null
            && TypeSymbols.BaseOrSelf(method.ContainingType, _dbContext) is not null;

    /// <summary>The entity type of a DbSet (or of a type deriving from one); null for anything else.</summary>
    private ITypeSymbol? EntityOf(ITypeSymbol? type) => TypeSymbols.BaseOrSelf(type, _dbSet)?.TypeArguments[0];

    private bool IsQueryable(ITypeSymbol? type)
        => type is not null
            && (SymbolEqualityComparer.Default.Equals(type, _queryable) || type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, _queryable)));

    private static ITypeSymbol? ElementType(ITypeSymbol? type)
    {
        if (type is null)
        {
            return null;
        }

        var queryable = type is INamedTypeSymbol { Name: "IQueryable", Arity: 1 } named
            ? named
            : type.AllInterfaces.FirstOrDefault(i => i is { Name: "IQueryable", Arity: 1 });
        return queryable?.TypeArguments[0];
    }

    /// <summary>What one step back along the chain found.</summary>
    private sealed class Step
    {
        public static readonly Step Unknown = new(null, false);
        public static readonly Step Bounded = new(null, false);
        public static readonly Step Self = new(null, true);

        private Step(QuerySource? source, bool isSelf)
        {
            Source = source;
            IsSelf = isSelf;
        }

        public QuerySource? Source { get; }

        /// <summary>The query refers back to the local being followed (<c>q = q.Where(...)</c>).</summary>
        public bool IsSelf { get; }

        public static Step Root(string name, ITypeSymbol entity) => new(new QuerySource(name, entity, null), false);
    }
}

/// <summary>Where an unbounded query starts: the DbSet member's name and entity type, and the rows' type.</summary>
internal sealed class QuerySource
{
    public QuerySource(string name, ITypeSymbol entityType, ITypeSymbol? elementType)
    {
        Name = name;
        EntityType = entityType;
        ElementType = elementType;
    }

    public string Name { get; }

    public ITypeSymbol EntityType { get; }

    public ITypeSymbol? ElementType { get; }
}
