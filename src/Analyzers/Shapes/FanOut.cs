using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// The shape SLU501 looks for — <c>Task.WhenAll(source.Select(selector))</c>, with an optional <c>ToList()</c> or
/// <c>ToArray()</c> after the Select and an optional local holding the tasks — taken apart for the analyzer and the fix.
/// </summary>
internal sealed class FanOut
{
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

        var value = whenAll.Arguments[0].Value.WalkDownConversion();
        IVariableDeclaratorOperation? declarator = null;
        if (value is ILocalReferenceOperation local)
        {
            declarator = LocalValues.OnlyDeclarator(local.Local, whenAll.Root());
            if (declarator?.Initializer is not { } initializer)
            {
                return null;
            }

            value = initializer.Value.WalkDownConversion();
        }

        var materialized = false;
        if (value is IInvocationOperation { Arguments.Length: 1 } toCollection
            && (types.IsEnumerableMethod(toCollection.TargetMethod, "ToList") || types.IsEnumerableMethod(toCollection.TargetMethod, "ToArray")))
        {
            value = toCollection.Arguments[0].Value.WalkDownConversion();
            materialized = true;
        }

        return value is IInvocationOperation { Arguments.Length: 2 } select && types.IsEnumerableMethod(select.TargetMethod, "Select")
            ? new FanOut(whenAll, select, declarator, materialized)
            : null;
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

    /// <summary><c>Task.WhenAll</c>.</summary>
    public static bool IsWhenAll(IMethodSymbol method, KnownTypes types)
        => method.Name == "WhenAll" && SymbolEqualityComparer.Default.Equals(method.ContainingType, types.Task);

    /// <summary>Task.FromResult, FromException, FromCanceled: tasks that are already complete.</summary>
    private static bool IsCompletedTaskFactory(IMethodSymbol method, KnownTypes types)
        => method.Name is "FromResult" or "FromException" or "FromCanceled"
            && SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, types.Task);
}
