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
    /// The DbSet an unbounded query starts at, or null when the query is bounded (Take, paging, a key or parent lookup,
    /// values looked up with Contains or a project helper), reads a lookup table (<see cref="ReferenceData"/>), is not an
    /// EF Core query, or its source or filter cannot be seen (a parameter, a method's result, a predicate built
    /// elsewhere): when in doubt, nothing is reported.
    /// </summary>
    public QuerySource? FindUnboundedSource(IOperation materialized, QueryBounds bounds)
    {
        var query = materialized.WalkDownConversion();
        if (!IsQueryable(query.Type))
        {
            return null;
        }

        var result = Walk(query, bounds, new List<ILocalSymbol>());
        return result.Source is { } source
            && source.EntityType.TypeKind != TypeKind.Error
            && !ReferenceData.IsLookupTable(source.EntityType)
            ? new QuerySource(source.Name, source.EntityType, ElementType(query.Type))
            : null;
    }

    private Step Walk(IOperation operation, QueryBounds bounds, List<ILocalSymbol> following)
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
                    if (Array.IndexOf(BoundingMethods, name) >= 0 || Array.IndexOf(bounds.Methods, name) >= 0)
                    {
                        return Step.Bounded;
                    }

                    if (FilterStep(call, bounds, following) is { } filter)
                    {
                        return filter;
                    }

                    if (name == "Distinct" && IsCategoryProjection(call.Arguments[0].Value))
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
                    return FollowLocal(local, bounds, following);
                case ITranslatedQueryOperation translated:
                    // 'from o in db.Orders where ... select o': the method calls the compiler makes of it, read the same way.
                    operation = translated.Operation;
                    continue;
                default:
                    return Step.Unknown;
            }
        }
    }

    /// <summary>
    /// A query kept in a local (<c>var q = db.Orders; if (x) q = q.Where(...);</c>): every value assigned to it must
    /// continue the same unbounded query. A bound in any of them (even one applied conditionally) silences the rule.
    /// </summary>
    private Step FollowLocal(ILocalReferenceOperation reference, QueryBounds bounds, List<ILocalSymbol> following)
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

            var step = Walk(value, bounds, following);
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
    /// A filter that bounds the rows by construction: a <c>Where</c> whose predicate is a lookup (see
    /// <see cref="IsLookup"/>), a <c>Where</c> whose predicate the rule cannot read (an expression handed in by the
    /// caller: it may well be a lookup), or a project's own query helper that filters a column by a list of values
    /// (<c>WhereIn(ids, x =&gt; x.Id)</c>: an extension on the query that takes an in-memory collection and a selector of
    /// the same element type).
    /// </summary>
    private Step? FilterStep(IInvocationOperation call, QueryBounds bounds, List<ILocalSymbol> following)
    {
        var method = call.TargetMethod;
        if (method.Name == "Where" && call.Arguments.Length == 2 && IsLinqOrEf(method))
        {
            if (Lambda(call.Arguments[1].Value) is not { } lambda || HasErrors(lambda))
            {
                // Where(filter) with an expression built elsewhere, or one that does not bind: the rule cannot see
                // what it selects.
                return Step.Unknown;
            }

            return lambda.Symbol.Parameters.Length == 1
                && lambda.Body.Operations.FirstOrDefault() is IReturnOperation { ReturnedValue: { } condition }
                && IsLookup(condition, lambda.Symbol.Parameters[0], bounds, following)
                    ? Step.Bounded
                    : null;
        }

        return !IsLinqOrEf(method) && IsValuesFilterHelper(call, bounds, following) ? Step.Bounded : null;
    }

    /// <summary>
    /// <c>ids.Contains(x.Id)</c>-style helpers of the project: an extension on IQueryable (not System.Linq's or EF
    /// Core's) with an argument that is an in-memory collection of values and a lambda selecting one column of the row,
    /// of the values' element type.
    /// </summary>
    private bool IsValuesFilterHelper(IInvocationOperation call, QueryBounds bounds, List<ILocalSymbol> following)
    {
        IOperation? values = null;
        IAnonymousFunctionOperation? selector = null;
        foreach (var argument in call.Arguments.Skip(1))
        {
            var value = argument.Value.WalkDownConversion();
            if (Lambda(value) is { Symbol.Parameters.Length: 1 } lambda)
            {
                selector = lambda;
            }
            else if (ElementOfCollection(value.Type) is not null)
            {
                values = value;
            }
        }

        if (values is null || selector is null
            || selector.Body.Operations.FirstOrDefault() is not IReturnOperation { ReturnedValue: { } selected }
            || !SymbolEqualityComparer.Default.Equals(ElementOfCollection(values.Type), selected.WalkDownConversion().Type))
        {
            return false;
        }

        return IsValuesLookup(values, selected, selector.Symbol.Parameters[0], bounds, following);
    }

    /// <summary>
    /// A predicate that bounds the rows: one of the conditions joined by <c>&amp;&amp;</c> (or every one joined by
    /// <c>||</c>) is a lookup — the row's key or a key-like column (<c>OrderId</c>, <c>UserId</c>,
    /// <c>Buyer.IdentityGuid</c>: the rows of one parent) equal to a value (<c>==</c> or <c>Equals</c>), or
    /// <c>values.Contains(x.Column)</c> over values held in memory or a bounded subquery.
    /// </summary>
    private bool IsLookup(IOperation condition, IParameterSymbol row, QueryBounds bounds, List<ILocalSymbol> following)
    {
        condition = condition.WalkDownConversion();
        switch (condition)
        {
            case IParenthesizedOperation parenthesized:
                return IsLookup(parenthesized.Operand, row, bounds, following);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.And } and:
                return IsLookup(and.LeftOperand, row, bounds, following) || IsLookup(and.RightOperand, row, bounds, following);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr or BinaryOperatorKind.Or } or:
                return IsLookup(or.LeftOperand, row, bounds, following) && IsLookup(or.RightOperand, row, bounds, following);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals } equals:
                return IsKeyEquality(equals.LeftOperand, equals.RightOperand, row, bounds) || IsKeyEquality(equals.RightOperand, equals.LeftOperand, row, bounds);
            case IInvocationOperation { TargetMethod.Name: "Equals" } call:
                var (left, right) = call.Instance is { } self
                    ? (self, call.Arguments.Length == 1 ? call.Arguments[0].Value : null)
                    : (call.Arguments.Length == 2 ? call.Arguments[0].Value : null, call.Arguments.Length == 2 ? call.Arguments[1].Value : null);
                return left is not null && right is not null
                    && (IsKeyEquality(left, right, row, bounds) || IsKeyEquality(right, left, row, bounds));
            case IInvocationOperation { TargetMethod.Name: "Contains" } contains:
                var (values, item) = contains.Instance is { } instance
                    ? (instance, contains.Arguments.FirstOrDefault()?.Value)
                    : (contains.Arguments.FirstOrDefault()?.Value, contains.Arguments.Length == 2 ? contains.Arguments[1].Value : null);
                return values is not null && item is not null && IsValuesLookup(values, item, row, bounds, following);
            default:
                return false;
        }
    }

    /// <summary>
    /// <paramref name="column"/> is the row's key, or (unless <see cref="QueryBounds.ParentFilters"/> is off) a key-like
    /// column compared with a value that is not a constant (<c>o.CustomerId == customer</c> is one customer's rows;
    /// <c>o.StatusId == 3</c> is a category).
    /// </summary>
    private static bool IsKeyEquality(IOperation column, IOperation value, IParameterSymbol row, QueryBounds bounds)
    {
        if (Column(column, row) is not { } member || Mentions(value, row))
        {
            return false;
        }

        if (IsPrimaryKey(member, row))
        {
            return true;
        }

        var constant = value.WalkDownConversion();
        return bounds.ParentFilters
            && IsKeyLike(member.Symbol.Name)
            && !constant.ConstantValue.HasValue
            && constant is not IDefaultValueOperation;
    }

    /// <summary>
    /// <c>values.Contains(x.Column)</c>: the rows of the values given. Values held in memory bound the rows unless they
    /// are constants filtering a category (<c>new[] { "open", "late" }.Contains(o.Status)</c>); a subquery bounds them
    /// when it is bounded itself (or cannot be seen).
    /// </summary>
    private bool IsValuesLookup(IOperation values, IOperation item, IParameterSymbol row, QueryBounds bounds, List<ILocalSymbol> following)
    {
        if (Column(item, row) is not { } member || Mentions(values, row))
        {
            return false;
        }

        var source = values.WalkDownConversion();
        if (IsQueryable(source.Type))
        {
            return Walk(source, bounds, following).Source is null;
        }

        if (IsPrimaryKey(member, row))
        {
            return true;
        }

        return !IsCategory(member) && !IsConstantList(source);
    }

    /// <summary>
    /// <c>Select(x =&gt; x.Language)</c> (before a <c>Distinct</c>): a projection that reads only category columns of the
    /// row, so its distinct values are the categories — one row per language, status or type.
    /// </summary>
    private static bool IsCategoryProjection(IOperation operation)
    {
        if (operation.WalkDownConversion() is not IInvocationOperation { TargetMethod.Name: "Select", Arguments.Length: 2 } select
            || Lambda(select.Arguments[1].Value) is not { Symbol.Parameters.Length: 1 } lambda
            || HasErrors(lambda))
        {
            return false;
        }

        var row = lambda.Symbol.Parameters[0];
        var columns = 0;
        foreach (var reference in lambda.Body.Descendants().OfType<IParameterReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Parameter, row))
            {
                continue;
            }

            if (reference.Parent is not IOperation parent || Column(parent, row) is not { } column || !IsCategory(column))
            {
                return false;
            }

            columns++;
        }

        return columns > 0;
    }

    /// <summary>The column a row expression reads — <c>x.Id</c>, <c>x.Buyer.Id</c>, <c>x.ParentId.Value</c> — or null.</summary>
    private static ColumnReference? Column(IOperation operation, IParameterSymbol row)
    {
        operation = operation.WalkDownConversion();
        if (operation is IPropertyReferenceOperation { Property.Name: "Value", Instance: { } nullable }
            && nullable.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T })
        {
            operation = nullable.WalkDownConversion();
        }

        ISymbol symbol;
        IOperation? owner;
        switch (operation)
        {
            case IPropertyReferenceOperation { Property.IsIndexer: false } property:
                (symbol, owner) = (property.Property, property.Instance);
                break;
            case IFieldReferenceOperation field:
                (symbol, owner) = (field.Field, field.Instance);
                break;
            default:
                return null;
        }

        owner = owner?.WalkDownConversion();
        if (owner is IParameterReferenceOperation parameter && SymbolEqualityComparer.Default.Equals(parameter.Parameter, row))
        {
            return new ColumnReference(symbol, direct: true);
        }

        return owner is not null && Column(owner, row) is not null ? new ColumnReference(symbol, direct: false) : null;
    }

    /// <summary>The row's own key: <c>Id</c>, <c>{Entity}Id</c> or a [Key] property, read on the row itself.</summary>
    private static bool IsPrimaryKey(ColumnReference column, IParameterSymbol row)
    {
        if (!column.Direct)
        {
            return false;
        }

        var name = column.Symbol.Name;
        return string.Equals(name, "Id", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, row.Type.Name + "Id", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, column.Symbol.ContainingType.Name + "Id", StringComparison.OrdinalIgnoreCase)
            || column.Symbol.GetAttributes().Any(a => a.AttributeClass is { Name: "KeyAttribute" });
    }

    /// <summary>A name that identifies one row of some table: <c>Id</c>, <c>OrderId</c>, <c>ORDER_ID</c>, <c>ApiKey</c>, <c>IdentityGuid</c>.</summary>
    private static bool IsKeyLike(string name)
        => string.Equals(name, "Id", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("Id", StringComparison.Ordinal)
            || name.EndsWith("ID", StringComparison.Ordinal)
            || name.EndsWith("_id", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("Key", StringComparison.Ordinal)
            || name.EndsWith("Guid", StringComparison.Ordinal)
            || name.EndsWith("Uuid", StringComparison.Ordinal);

    /// <summary>A column that sorts rows into a few groups: a bool, an enum, or a name from <see cref="CategorySuffixes"/>.</summary>
    private static bool IsCategory(ColumnReference column)
    {
        var type = column.Symbol switch
        {
            IPropertySymbol property => property.Type,
            IFieldSymbol field => field.Type,
            _ => null,
        };
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        if (type is { SpecialType: SpecialType.System_Boolean } or { TypeKind: TypeKind.Enum })
        {
            return true;
        }

        var name = column.Symbol.Name;
        return CategorySuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal));
    }

    /// <summary>Names of columns whose values come from a short list: kinds and states, and code lists such as languages or currencies.</summary>
    private static readonly string[] CategorySuffixes = ["Type", "Kind", "Status", "State", "Category", "Language", "Country", "Currency", "Culture", "Locale"];

    /// <summary>An array or collection expression written out of constants: a fixed set of categories.</summary>
    private static bool IsConstantList(IOperation values)
        => values switch
        {
            IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues.All(v => v.WalkDownConversion().ConstantValue.HasValue || IsEnumMember(v)),
            { } collection when CollectionExpressions.ElementsOf(collection) is { } elements => elements.All(v => v.WalkDownConversion().ConstantValue.HasValue || IsEnumMember(v)),
            _ => false,
        };

    private static bool IsEnumMember(IOperation value)
        => value.WalkDownConversion() is IFieldReferenceOperation { Field.IsStatic: true } field && (field.Field.IsConst || field.Type?.TypeKind == TypeKind.Enum);

    /// <summary>The element type of an in-memory collection (not a string, not a query), or null.</summary>
    private ITypeSymbol? ElementOfCollection(ITypeSymbol? type)
    {
        if (type is null || type.SpecialType == SpecialType.System_String || IsQueryable(type))
        {
            return null;
        }

        if (type is IArrayTypeSymbol array)
        {
            return array.ElementType;
        }

        var enumerable = type is INamedTypeSymbol { Name: "IEnumerable", Arity: 1 } named && TypeSymbols.IsNamespace(named.ContainingNamespace, "System.Collections.Generic")
            ? named
            : type.AllInterfaces.FirstOrDefault(i => i is { Name: "IEnumerable", Arity: 1 } && TypeSymbols.IsNamespace(i.ContainingNamespace, "System.Collections.Generic"));
        return enumerable?.TypeArguments[0];
    }

    private static bool HasErrors(IOperation operation) => operation.Descendants().Any(o => o is IInvalidOperation);

    private static IAnonymousFunctionOperation? Lambda(IOperation value)
    {
        value = value.WalkDownConversion();
        if (value is IDelegateCreationOperation creation)
        {
            value = creation.Target;
        }

        return value as IAnonymousFunctionOperation;
    }

    /// <summary>System.Linq's or EF Core's query operators (not a project's own extension methods).</summary>
    private static bool IsLinqOrEf(IMethodSymbol method)
    {
        var ns = (method.ReducedFrom ?? method).ContainingType?.ContainingNamespace;
        return TypeSymbols.IsNamespace(ns, "System.Linq") || TypeSymbols.IsNamespaceOrNested(ns, "Microsoft.EntityFrameworkCore");
    }

    private static bool Mentions(IOperation operation, IParameterSymbol parameter)
        => operation.DescendantsAndSelf().Any(o => o is IParameterReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter));

    private bool IsSetOfContext(IInvocationOperation call)
        => call.TargetMethod is { Name: "Set", IsStatic: false } method
            && _dbContext is not null
            && TypeSymbols.BaseOrSelf(method.ContainingType, _dbContext) is not null;

    /// <summary>The entity type of a DbSet (or of a type deriving from one); null for anything else.</summary>
    private ITypeSymbol? EntityOf(ITypeSymbol? type) => TypeSymbols.BaseOrSelf(type, _dbSet)?.TypeArguments[0];

    /// <remarks>
    /// Asked of what every ToList/ToArray in a compilation is called on; most of those are arrays, strings and the BCL's
    /// own collections, which never implement IQueryable, and are turned away before AllInterfaces builds its array.
    /// </remarks>
    private bool IsQueryable(ITypeSymbol? type)
        => type is not null
            && _queryable is not null
            && type.TypeKind is not (TypeKind.Array or TypeKind.Pointer)
            && type.SpecialType == SpecialType.None
            && !(type.TypeKind is TypeKind.Class or TypeKind.Struct && TypeSymbols.IsNamespace(type.ContainingNamespace, "System.Collections.Generic"))
            && (SymbolEqualityComparer.Default.Equals(type, _queryable) || TypeSymbols.ImplementsDefinition(type, _queryable));

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

/// <summary>A column read on a query's row: the member, and whether it is read on the row itself (not a navigation).</summary>
internal sealed class ColumnReference
{
    public ColumnReference(ISymbol symbol, bool direct)
    {
        Symbol = symbol;
        Direct = direct;
    }

    public ISymbol Symbol { get; }

    public bool Direct { get; }
}

/// <summary>What the project says bounds a query, from its options.</summary>
internal sealed class QueryBounds
{
    public QueryBounds(string[] methods, bool parentFilters)
    {
        Methods = methods;
        ParentFilters = parentFilters;
    }

    /// <summary>The project's own query methods that bound the rows (a paging helper).</summary>
    public string[] Methods { get; }

    /// <summary>A key-like column equal to a value (the rows of one parent) bounds the rows.</summary>
    public bool ParentFilters { get; }
}
