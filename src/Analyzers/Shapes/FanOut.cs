using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Contract;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// The shape SLU501 looks for — <c>Task.WhenAll(source.Select(selector))</c>, with an optional <c>ToList()</c> or
/// <c>ToArray()</c> after the Select and an optional local holding the tasks — taken apart for the analyzer and the fix,
/// and the questions that decide whether it is a fan-out over data of unknown size: what the items are
/// (<see cref="ItemsAreData"/>), whether the source is bounded (<see cref="IsBounded"/>), whether the work is gated
/// (<see cref="IsGated"/>), and whether the collection is one someone else sized (<see cref="IsCallersBatch"/>,
/// <see cref="IsObjectState"/>).
/// </summary>
internal sealed class FanOut
{
    private const int MaxDepth = 4;

    private FanOut(IInvocationOperation whenAll, IInvocationOperation select, IVariableDeclaratorOperation? tasksLocal, bool materialized)
    {
        WhenAll = whenAll;
        Select = select;
        TasksLocal = tasksLocal;
        Materialized = materialized;
    }

    /// <summary>The <c>Task.WhenAll</c> call.</summary>
    public IInvocationOperation WhenAll { get; }

    /// <summary>The <c>Enumerable.Select</c> call that starts one task per item.</summary>
    public IInvocationOperation Select { get; }

    /// <summary>The declaration of the local that holds the tasks, when WhenAll gets a local.</summary>
    public IVariableDeclaratorOperation? TasksLocal { get; }

    /// <summary>True when the tasks are started by <c>ToList()</c>/<c>ToArray()</c> before WhenAll.</summary>
    public bool Materialized { get; }

    /// <summary>The collection the Select runs over.</summary>
    public IOperation Source => Select.Arguments[0].Value;

    /// <summary>The type of one item of <see cref="Source"/>: the Select's <c>TSource</c>.</summary>
    public ITypeSymbol? ItemType => Select.TargetMethod.TypeArguments.Length == 2 ? Select.TargetMethod.TypeArguments[0] : null;

    /// <summary>The selector: an anonymous function or a method group, or null for a delegate from elsewhere.</summary>
    public IOperation? Selector => Select.Arguments[1].Value.WalkDownConversion() is IDelegateCreationOperation creation
        ? creation.Target
        : null;

    /// <summary>Takes a <c>Task.WhenAll</c> call apart; null when its argument is not a Select of tasks.</summary>
    public static FanOut? Find(IInvocationOperation whenAll, KnownTypes types)
    {
        if (!IsWhenAll(whenAll.TargetMethod, types)
            || whenAll.Arguments.Length != 1
            || whenAll.Arguments[0].ArgumentKind != ArgumentKind.Explicit)
        {
            // Task.WhenAll(a, b, c) is a fixed list of tasks.
            return null;
        }

        var value = Unwrap(whenAll.Arguments[0].Value);
        IVariableDeclaratorOperation? declarator = null;
        if (value is ILocalReferenceOperation local)
        {
            declarator = LocalValues.OnlyDeclarator(local.Local, whenAll.Root());
            if (declarator?.Initializer is not { } initializer)
            {
                return null;
            }

            value = Unwrap(initializer.Value);
        }

        var materialized = false;
        if (value is IInvocationOperation { Arguments.Length: 1 } toCollection
            && (types.IsEnumerableMethod(toCollection.TargetMethod, "ToList") || types.IsEnumerableMethod(toCollection.TargetMethod, "ToArray")))
        {
            value = Unwrap(toCollection.Arguments[0].Value);
            materialized = true;
        }

        return value is IInvocationOperation { Arguments.Length: 2 } select && types.IsEnumerableMethod(select.TargetMethod, "Select")
            ? new FanOut(whenAll, select, declarator, materialized)
            : null;
    }

    /// <summary>
    /// The value without its conversions, and a query expression (<c>from x in xs select F(x)</c>) as the method calls the
    /// compiler makes of it (<c>xs.Select(x =&gt; F(x))</c>).
    /// </summary>
    private static IOperation Unwrap(IOperation value)
    {
        value = value.WalkDownConversion();
        return value is ITranslatedQueryOperation query ? query.Operation.WalkDownConversion() : value;
    }

    /// <summary>
    /// True when the selector starts asynchronous work: an async lambda that awaits, a lambda that returns the task of a
    /// call (not <c>Task.FromResult</c> or <c>Task.CompletedTask</c>), or a method group. Anything else is left alone.
    /// </summary>
    public bool StartsAsyncWork(KnownTypes types)
    {
        switch (Selector)
        {
            case IMethodReferenceOperation method:
                return !IsCompletedTaskFactory(method.Method, types);
            case IAnonymousFunctionOperation function when function.Symbol.IsAsync:
                return function.Body.OwnDescendants().Any(operation => operation is IAwaitOperation);
            case IAnonymousFunctionOperation function:
                var returns = function.Body.OwnDescendants().OfType<IReturnOperation>().ToList();
                return returns.Count > 0
                    && returns.All(r => r.ReturnedValue?.WalkDownConversion() is IInvocationOperation call && !IsCompletedTaskFactory(call.TargetMethod, types));
            default:
                return false;
        }
    }

    /// <summary>
    /// True when the items are data — values (ids, keys, names, lines: numbers, strings, Guids, dates), records (a class
    /// or struct that does no asynchronous work of its own) or batches of them — and the selector does not call the item's
    /// own asynchronous methods. False for components: interfaces, abstract classes, delegates, tasks, type parameters,
    /// <c>object</c>, enums and types with asynchronous methods (providers, services, subscribers, agents, endpoints,
    /// observers, entities that refresh themselves); their number is fixed by configuration or registration.
    /// </summary>
    public bool ItemsAreData(KnownTypes types)
        => ItemType is { } item && IsData(item, depth: 0) && !CallsTheItem();

    /// <summary>
    /// True when the source's size is known to be small: a literal, a constant count up to <paramref name="maxConstant"/>,
    /// a deliberate bound (<c>Take</c> of a non-constant count, <c>Range</c> of a count that is not a collection's size,
    /// a batch of <c>Chunk</c>/<c>InBatches</c>, a page read by a call given a limit such as <c>GetPendingAsync(limit)</c>),
    /// or a local initialized with one of those and never reassigned.
    /// </summary>
    public bool IsBounded(KnownTypes types, int maxConstant) => IsBoundedSource(Source, types, maxConstant, depth: 0);

    /// <summary>
    /// True when the selector waits on a <c>SemaphoreSlim</c> before its work (<c>await gate.WaitAsync()</c>): the gate
    /// bounds how many items run together, whatever the number of tasks. The wait counts anywhere inside the selector —
    /// in a lambda or local function within it (<c>Task.Run(async () =&gt; { await gate.WaitAsync(); ... })</c>) — and
    /// in a local function of the member that the selector calls or names (<c>ids.Select(ThrottledAsync)</c>).
    /// Methods of the type that the selector calls are not followed.
    /// </summary>
    public bool IsGated(KnownTypes types)
    {
        if (types.SemaphoreSlim is not { } semaphore)
        {
            return false;
        }

        bool WaitsOnGate(IOperation body)
            => body.DescendantsAndSelf().Any(operation =>
                operation is IInvocationOperation { TargetMethod.Name: "WaitAsync" or "Wait" } wait
                && SymbolEqualityComparer.Default.Equals(wait.TargetMethod.ContainingType, semaphore));

        IOperation? selectorBody = Selector switch
        {
            IAnonymousFunctionOperation function => function.Body,
            _ => null,
        };
        if (selectorBody is not null && WaitsOnGate(selectorBody))
        {
            return true;
        }

        // Local functions of the member the selector calls (or is): their bodies are in sight.
        var called = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        if (Selector is IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction } reference)
        {
            called.Add(reference.Method.OriginalDefinition);
        }

        foreach (var call in selectorBody?.DescendantsAndSelf().OfType<IInvocationOperation>() ?? [])
        {
            if (call.TargetMethod.MethodKind == MethodKind.LocalFunction)
            {
                called.Add(call.TargetMethod.OriginalDefinition);
            }
        }

        return called.Count > 0
            && WhenAll.Root().Descendants().OfType<ILocalFunctionOperation>().Any(local =>
                called.Contains(local.Symbol.OriginalDefinition) && local.Body is { } body && WaitsOnGate(body));
    }

    /// <summary>
    /// True when the source is (a filter or ordering of) a parameter of a method that implements a contract someone else
    /// sized: an override, an interface member or an extension method, visible outside its assembly. A public batch API
    /// (<c>SendBatch(messages)</c>, a framework's <c>SendToUsersAsync(userIds)</c>) starts one call per item of the
    /// collection its caller handed in; how big that is, and whether to run them together, is the caller's decision.
    /// </summary>
    public bool IsCallersBatch()
    {
        if (Origin(Source, depth: 0) is not IParameterReferenceOperation parameter
            || parameter.Parameter.ContainingSymbol is not IMethodSymbol method)
        {
            return false;
        }

        return IsVisibleOutside(method)
            && (method.IsOverride || method.IsExtensionMethod || ImplementsInterfaceMember(method));
    }

    /// <summary>
    /// True when the source is a property of the object the code runs in (<c>this.Parts</c>, <c>AlternateVersions</c>):
    /// the object's own make-up — one item's parts, one order's lines, the providers it was built with — not data that
    /// flows through it. A field of the object (a list it fills at run time) is not exempt.
    /// </summary>
    public bool IsObjectState()
        => Origin(Source, depth: 0) is IPropertyReferenceOperation { Property.IsIndexer: false, Instance: IInstanceReferenceOperation };

    /// <summary><c>Task.WhenAll</c>.</summary>
    public static bool IsWhenAll(IMethodSymbol method, KnownTypes types)
        => method.Name == "WhenAll" && SymbolEqualityComparer.Default.Equals(method.ContainingType, types.Task);

    /// <summary>Task.FromResult, FromException, FromCanceled: tasks that are already complete.</summary>
    private static bool IsCompletedTaskFactory(IMethodSymbol method, KnownTypes types)
        => method.Name is "FromResult" or "FromException" or "FromCanceled"
            && SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, types.Task);

    private static bool IsData(ITypeSymbol type, int depth)
    {
        if (depth > 2)
        {
            return false;
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_String:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Decimal:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_DateTime:
                return true;
            case SpecialType.System_Boolean:
            case SpecialType.System_Object:
                return false;
        }

        switch (type)
        {
            case IArrayTypeSymbol array:
                return IsData(array.ElementType, depth + 1);
            case INamedTypeSymbol { IsTupleType: true } tuple:
                return tuple.TupleElements.Any(element => IsData(element.Type, depth + 1))
                    && !tuple.TupleElements.Any(element => IsComponent(element.Type));
            case INamedTypeSymbol { Name: "KeyValuePair", TypeArguments.Length: 2 } pair when IsInNamespace(pair, "System", "Collections", "Generic"):
                return !IsComponent(pair.TypeArguments[1]) && (IsData(pair.TypeArguments[0], depth + 1) || IsData(pair.TypeArguments[1], depth + 1));
            case INamedTypeSymbol { TypeKind: TypeKind.Enum }:
                return false;
            case INamedTypeSymbol named when IsInNamespace(named, "System") && named.Name is "Guid" or "DateTimeOffset" or "TimeSpan" or "DateOnly" or "TimeOnly" or "Uri":
                return true;
            case INamedTypeSymbol named when IsBatchType(named):
                return IsData(named.TypeArguments[0], depth + 1);
            case INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } named:
                return !IsComponent(named);
            default:
                return false;
        }
    }

    /// <summary>An interface, an abstract class, a delegate, a task, a type parameter, or a type with async methods.</summary>
    private static bool IsComponent(ITypeSymbol type)
    {
        if (type.TypeKind is TypeKind.Interface or TypeKind.Delegate or TypeKind.TypeParameter or TypeKind.Dynamic or TypeKind.Error
            || type.SpecialType == SpecialType.System_Object
            || (type.IsAbstract && type.TypeKind == TypeKind.Class)
            || IsAwaitable(type))
        {
            return true;
        }

        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is IMethodSymbol { IsStatic: false, MethodKind: MethodKind.Ordinary } method && IsAwaitable(method.ReturnType))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>A list, set, array segment or other one-type-argument collection: a batch of its element.</summary>
    private static bool IsBatchType(INamedTypeSymbol type)
        => type.TypeArguments.Length == 1
            && type.AllInterfaces.Any(i => i.Name == "IEnumerable" && i.TypeArguments.Length == 1)
            && !IsAwaitable(type);

    private static bool IsAwaitable(ITypeSymbol type)
        => type.Name is "Task" or "ValueTask" && IsInNamespace(type, "System", "Threading", "Tasks");

    private static bool IsInNamespace(ISymbol symbol, params string[] parts)
    {
        var ns = symbol.ContainingNamespace;
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            if (ns is null || ns.Name != parts[i])
            {
                return false;
            }

            ns = ns.ContainingNamespace;
        }

        return ns is { IsGlobalNamespace: true };
    }

    /// <summary>The selector calls an asynchronous method of the item itself (<c>s =&gt; s.StopAsync()</c>): the item is an actor.</summary>
    private bool CallsTheItem()
    {
        if (Selector is not IAnonymousFunctionOperation { Symbol.Parameters.Length: >= 1 } function)
        {
            return false;
        }

        var item = function.Symbol.Parameters[0];
        return function.Body.OwnDescendants().Any(operation =>
            operation is IInvocationOperation { Instance: { } instance } call
            && IsAwaitable(call.TargetMethod.ReturnType)
            && IsRootedAt(instance, item));
    }

    /// <summary><c>item</c>, <c>item.Value</c>, <c>item.Owner.Client</c>: member accesses down from the parameter.</summary>
    private static bool IsRootedAt(IOperation operation, IParameterSymbol parameter)
    {
        for (var current = operation.WalkDownConversion(); ;)
        {
            switch (current)
            {
                case IParameterReferenceOperation reference:
                    return SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter);
                case IMemberReferenceOperation { Instance: { } instance }:
                    current = instance.WalkDownConversion();
                    break;
                default:
                    return false;
            }
        }
    }

    private static bool IsBoundedSource(IOperation source, KnownTypes types, int maxConstant, int depth)
    {
        source = source.WalkDownConversion();
        switch (source)
        {
            case IArrayCreationOperation array:
                return array.Initializer is not null
                    || array.DimensionSizes.All(size => IsSmallConstant(size, maxConstant));
            case { } collection when CollectionExpressions.ElementsOf(collection) is { } elements:
                return !elements.Any(CollectionExpressions.IsSpread);
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
            case IInvocationOperation call when depth < MaxDepth && IsPassThrough(call, types):
                return IsBoundedSource(call.Arguments[0].Value, types, maxConstant, depth + 1);
            case IInvocationOperation call when IsPageRead(call, types, maxConstant):
                return true;
            case IAwaitOperation awaited when depth < MaxDepth:
                return IsBoundedSource(awaited.Operation, types, maxConstant, depth + 1);
            case IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured } when depth < MaxDepth:
                return IsBoundedSource(configured, types, maxConstant, depth + 1);
            case ILocalReferenceOperation local when IsBatchOfForEach(local, types):
                return true;
            case ILocalReferenceOperation local when depth < MaxDepth
                && LocalValues.OnlyDeclarator(local.Local, source.Root()) is { Initializer: { } initializer }:
                return IsBoundedSource(initializer.Value, types, maxConstant, depth + 1);
            default:
                return false;
        }
    }

    /// <summary>
    /// A call given a limit — an argument for a parameter named like <c>limit</c>, <c>maxCount</c>, <c>pageSize</c>,
    /// <c>batchSize</c>, <c>take</c>, <c>top</c> or <c>count</c> — returns at most that many rows: a page.
    /// </summary>
    private static bool IsPageRead(IInvocationOperation call, KnownTypes types, int maxConstant)
        => !SymbolEqualityComparer.Default.Equals((call.TargetMethod.ReducedFrom ?? call.TargetMethod).ContainingType, types.Enumerable)
            && call.Arguments.Any(argument => argument.Parameter is { Type.SpecialType: SpecialType.System_Int32 or SpecialType.System_Int64 } parameter
                && IsLimitName(parameter.Name)
                && (IsSmallConstant(argument.Value, maxConstant)
                    || (!argument.Value.ConstantValue.HasValue && !IsCollectionSize(argument.Value, types))));

    private static bool IsLimitName(string name)
        => name.IndexOf("limit", StringComparison.OrdinalIgnoreCase) >= 0
            || name.IndexOf("pagesize", StringComparison.OrdinalIgnoreCase) >= 0
            || name.IndexOf("batchsize", StringComparison.OrdinalIgnoreCase) >= 0
            || name.StartsWith("max", StringComparison.OrdinalIgnoreCase)
            || name is "count" or "take" or "top" or "first" or "size";

    /// <summary>Enumerable calls that keep (a subset of) the same items: filters, orderings, materializations.</summary>
    private static bool IsPassThrough(IInvocationOperation call, KnownTypes types)
        => call.Arguments.Length >= 1
            && call.TargetMethod.Name is "Where" or "OrderBy" or "OrderByDescending" or "ThenBy" or "ThenByDescending" or "Distinct"
                or "ToList" or "ToArray" or "AsEnumerable" or "Reverse" or "Cast" or "OfType" or "Skip"
            && types.IsEnumerableMethod(call.TargetMethod, call.TargetMethod.Name);

    /// <summary>Where the source's items come from: through conversions, awaits, pass-through calls and single-assignment locals.</summary>
    private static IOperation Origin(IOperation source, int depth)
    {
        source = source.WalkDownConversion();
        if (depth >= MaxDepth)
        {
            return source;
        }

        switch (source)
        {
            case IInvocationOperation { Arguments.Length: >= 1 } call
                when call.TargetMethod.Name is "Where" or "OrderBy" or "OrderByDescending" or "ThenBy" or "ThenByDescending" or "Distinct"
                    or "ToList" or "ToArray" or "AsEnumerable" or "Reverse" or "Cast" or "OfType"
                    && (call.TargetMethod.ReducedFrom ?? call.TargetMethod).ContainingType.Name == "Enumerable":
                return Origin(call.Arguments[0].Value, depth + 1);
            case ILocalReferenceOperation local
                when LocalValues.OnlyDeclarator(local.Local, source.Root()) is { Initializer: { } initializer }:
                return Origin(initializer.Value, depth + 1);
            default:
                return source;
        }
    }

    private static bool IsVisibleOutside(ISymbol symbol)
    {
        for (var current = symbol; current is not null and not INamespaceSymbol; current = current.ContainingSymbol)
        {
            if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ImplementsInterfaceMember(IMethodSymbol method)
    {
        if (!method.ExplicitInterfaceImplementations.IsEmpty)
        {
            return true;
        }

        foreach (var implemented in method.ContainingType.AllInterfaces)
        {
            foreach (var member in implemented.GetMembers(method.Name))
            {
                if (SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member), method))
                {
                    return true;
                }
            }
        }

        return false;
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
}
