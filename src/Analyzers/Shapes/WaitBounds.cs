using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// Blocking waits that something other than their own timeout bounds, or that only coordinate a component with
/// itself: the component's own synchronization (a lock, event or queue it holds, its own worker threads, a handle
/// array that includes a stop signal), work that carries its own timeout (an HttpClient request, a host's
/// StopAsync), the output of a process that has already exited, and a wait whose task is itself awaited with a token.
/// Also which waits ignore a token the caller handed in. Used by SLU301 (infinite timeouts) and SLU302 (no timeout).
/// </summary>
internal static class WaitBounds
{
    /// <summary>Calls a value is followed through to where it comes from (a waited task to the call that made it).</summary>
    private static readonly string[] PassThroughCalls = LocalValues.AwaitingCalls;

    /// <summary>Task factories whose task is complete when they return: reading its result never waits.</summary>
    private static readonly string[] CompletedTaskFactories = ["FromResult", "FromException", "FromCanceled"];

    /// <summary>
    /// True when the wait is on the component's own synchronization: a lock, event, semaphore, queue or thread that is a
    /// field or property of the component (or of its own objects), or that this member created (a local initialized
    /// with <c>new</c>, or the items of a collection it built); for <c>WaitHandle.WaitAny</c>, a handle array that
    /// includes such a handle or the handle of a CancellationToken; and a component's Dispose waiting for its own
    /// shutdown. A hang there is a bug in the component's own signalling, not a stalled server, and a timeout would
    /// only turn an idle worker into a busy one. Tasks, processes and other objects (clients, consumers) are never
    /// "own": they stand for work that may be I/O.
    /// </summary>
    public static bool IsOwnSynchronization(IInvocationOperation wait, ISymbol member, KnownTypes types)
    {
        var method = wait.TargetMethod;
        var type = method.ContainingType;
        var component = member.ContainingType;
        var root = wait.Root();
        if (!IsSynchronizationPrimitive(type, types))
        {
            // The component's Dispose waiting for its own shutdown (after it signalled its workers to stop).
            return !method.IsStatic && wait.Instance?.WalkDownConversion() is IInstanceReferenceOperation
                && member.Name is "Dispose" or "DisposeAsync";
        }

        if (!method.IsStatic)
        {
            return wait.Instance is { } instance && IsOwnObject(instance, root, component, types);
        }

        var waited = wait.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value;
        if (waited is null)
        {
            return false;
        }

        if (Timeouts.Is(type, types.Monitor))
        {
            return IsOwnObject(waited, root, component, types);
        }

        // A handle array: one the component holds, or one built here from own handles or a token's handle.
        waited = waited.WalkDownConversion();
        if (waited is IFieldReferenceOperation or IPropertyReferenceOperation && IsOwnObject(waited, root, component, types))
        {
            return true;
        }

        if (Elements(waited, root) is not { } elements || elements.Count == 0)
        {
            return false;
        }

        bool IsOwnOrToken(IOperation element) => IsOwnObject(element, root, component, types) || IsTokenHandle(element, root, types);
        return method.Name == "WaitAny" ? elements.Any(IsOwnOrToken) : elements.All(IsOwnOrToken);
    }

    private static bool IsSynchronizationPrimitive(INamedTypeSymbol? type, KnownTypes types)
        => TypeSymbols.IsOrDerives(type, types.WaitHandle)
            || Timeouts.Is(type, types.SemaphoreSlim)
            || Timeouts.Is(type, types.ManualResetEventSlim)
            || Timeouts.Is(type, types.CountdownEvent)
            || Timeouts.Is(type, types.Thread)
            || Timeouts.Is(type, types.Monitor)
            || Timeouts.Is(type, types.BlockingCollection);

    /// <summary>
    /// The member's function (its method, lambda or local function) has a CancellationToken parameter that it never
    /// uses: the caller handed in a way to stop, and this wait (like the rest of the member) ignores it.
    /// </summary>
    public static bool IgnoresTokenParameter(IInvocationOperation wait, ISymbol member, KnownTypes types)
    {
        var tokens = new List<IParameterSymbol>();
        for (var operation = wait.Parent; operation is not null; operation = operation.Parent)
        {
            var parameters = operation switch
            {
                IAnonymousFunctionOperation function => function.Symbol.Parameters,
                ILocalFunctionOperation function => function.Symbol.Parameters,
                _ => ImmutableArray<IParameterSymbol>.Empty,
            };
            tokens.AddRange(parameters.Where(p => types.IsCancellationToken(p.Type)));
        }

        if (member is IMethodSymbol method)
        {
            tokens.AddRange(method.Parameters.Where(p => types.IsCancellationToken(p.Type)));
        }

        if (tokens.Count == 0)
        {
            return false;
        }

        var used = new HashSet<IParameterSymbol>(
            wait.Root().Descendants().OfType<IParameterReferenceOperation>().Select(reference => reference.Parameter),
            SymbolEqualityComparer.Default);
        return tokens.Any(token => !used.Contains(token));
    }

    /// <summary>
    /// A wait on a task that carries its own timeout: an HttpClient request (HttpClient.Timeout, 100 s by default,
    /// ends it with an exception), any <c>Task&lt;HttpResponseMessage&gt;</c>, a call of an Azure SDK client (types in
    /// <c>Azure.*</c>: Azure.Core's retry options bound every try, 100 s per HTTP try and 60 s per AMQP try by default,
    /// with 3 retries), or a host's <c>StopAsync</c>
    /// (HostOptions.ShutdownTimeout ends it); or on a read of an HTTP body already in memory (see
    /// <see cref="Deadlines.IsBodyReadFromMemory"/>), which finishes on its own.
    /// </summary>
    public static bool IsWorkWithItsOwnTimeout(IInvocationOperation wait, KnownTypes types)
        => !wait.TargetMethod.IsStatic
            && wait.Instance is { } instance
            && (Timeouts.Is(wait.TargetMethod.ContainingType, types.Task) || Timeouts.Is(wait.TargetMethod.ContainingType, types.GenericTask))
            && IsTaskWithItsOwnTimeout(instance, wait.Root(), types);

    /// <summary>The same as <see cref="IsWorkWithItsOwnTimeout(IInvocationOperation, KnownTypes)"/>, for the task a result read waits on.</summary>
    public static bool IsTaskWithItsOwnTimeout(IOperation waitedTask, IOperation root, KnownTypes types)
    {
        var task = LocalValues.Origin(waitedTask, root, PassThroughCalls);
        if (task.Type is INamedTypeSymbol { TypeArguments.Length: 1 } generic && TypeSymbols.IsOrDerives(generic.TypeArguments[0], types.HttpResponseMessage))
        {
            return true;
        }

        return task is IInvocationOperation call
            && (TypeSymbols.IsOrDerives(call.TargetMethod.ContainingType, types.HttpMessageInvoker)
                || TypeSymbols.IsNamespaceOrNested(call.TargetMethod.ContainingNamespace, "Azure")
                || (call.TargetMethod.Name == "StopAsync" && TypeSymbols.IsOrDerives(call.TargetMethod.ContainingType, types.Host))
                || Deadlines.IsBodyReadFromMemory(call, types));
    }

    /// <summary>
    /// The task whose result <paramref name="read"/> blocks for: <c>task.Result</c>, <c>task.GetAwaiter().GetResult()</c>
    /// or <c>task.ConfigureAwait(false).GetAwaiter().GetResult()</c> on a <c>Task</c> or <c>Task&lt;T&gt;</c>; null for
    /// any other operation (a <c>ValueTask</c>'s result among them).
    /// </summary>
    public static IOperation? TaskWhoseResultIsRead(IOperation read, KnownTypes types)
    {
        switch (read)
        {
            case IPropertyReferenceOperation { Property.Name: "Result", Instance: { } task } property
                when Timeouts.Is(property.Property.ContainingType, types.GenericTask):
                return task;
            case IInvocationOperation { TargetMethod.Name: "GetResult", Arguments.Length: 0, Instance: { } awaiter }
                when awaiter.WalkDownConversion() is IInvocationOperation { TargetMethod.Name: "GetAwaiter", Arguments.Length: 0, Instance: { } awaited }:
                awaited = awaited.WalkDownConversion();
                if (awaited is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured })
                {
                    awaited = configured;
                }

                return TypeSymbols.IsOrDerives(awaited.Type, types.Task) ? awaited : null;
            default:
                return null;
        }
    }

    /// <summary>
    /// The call whose work a result read may wait for: the task is made by a call here (<c>LoadAsync().Result</c>, or a
    /// local written once from one) named by the convention for asynchronous I/O (<c>...Async</c>; not
    /// <c>Task.Run</c>, <c>ContinueWith</c>, <c>Task.WhenAll</c>, nor an API whose task-returning methods do in-memory
    /// work under plain names, such as an in-memory scheduler's <c>Start()</c>), that was not given a CancellationToken
    /// that can fire, and the code has not read the
    /// task before (awaited it, waited on it, handed it to <c>Task.WhenAll</c> or checked <c>IsCompleted</c>). Null for
    /// a task from a field, property, parameter or collection (a continuation's antecedent, a task awaited elsewhere:
    /// reading the result of a completed task is what <c>.Result</c> is for), and for <c>Task.FromResult</c> and the
    /// other factories of completed tasks.
    /// </summary>
    public static IInvocationOperation? UnfinishedCallWhoseResultIsRead(IOperation task, IOperation read, KnownTypes types)
    {
        var root = read.Root();
        if (task.WalkDownConversion() is ILocalReferenceOperation local
            && root.Descendants().OfType<ILocalReferenceOperation>().Any(other =>
                other != task.WalkDownConversion()
                && SymbolEqualityComparer.Default.Equals(other.Local, local.Local)
                && other.Syntax.SpanStart < read.Syntax.SpanStart))
        {
            return null;
        }

        if (LocalValues.Origin(task, root, PassThroughCalls) is not IInvocationOperation call
            || !call.TargetMethod.Name.EndsWith("Async", StringComparison.Ordinal)
            || (TypeSymbols.IsOrDerives(call.TargetMethod.ContainingType, types.Task) && Array.IndexOf(CompletedTaskFactories, call.TargetMethod.Name) >= 0)
            || Timeouts.HasLiveToken(call, types))
        {
            return null;
        }

        return call;
    }

    /// <summary>
    /// A wait on tasks that read a process's standard output or error to the end, after the same process's
    /// <c>WaitForExit()</c>: once the process has exited its pipes are at their end, so the reads finish.
    /// </summary>
    public static bool IsOutputOfAnExitedProcess(IInvocationOperation wait, KnownTypes types)
    {
        var root = wait.Root();
        var tasks = wait.TargetMethod.IsStatic
            ? wait.Arguments.SelectMany(argument => Elements(argument.Value.WalkDownConversion(), root) ?? [argument.Value]).ToList()
            : wait.Instance is { } instance ? [instance] : [];
        return AreOutputOfAnExitedProcess(wait, tasks, types);
    }

    /// <summary>The same as <see cref="IsOutputOfAnExitedProcess(IInvocationOperation, KnownTypes)"/>, for the tasks a wait or result read blocks on.</summary>
    public static bool AreOutputOfAnExitedProcess(IOperation wait, IReadOnlyList<IOperation> tasks, KnownTypes types)
    {
        var root = wait.Root();
        if (tasks.Count == 0)
        {
            return false;
        }

        ISymbol? process = null;
        foreach (var task in tasks)
        {
            if (LocalValues.Origin(task, root, PassThroughCalls) is not IInvocationOperation { TargetMethod.Name: "ReadToEndAsync" or "ReadToEnd", Instance: { } reader }
                || LocalValues.Origin(reader, root, PassThroughCalls) is not IPropertyReferenceOperation { Property.Name: "StandardOutput" or "StandardError", Instance: { } owner } stream
                || !TypeSymbols.IsOrDerives(stream.Property.ContainingType, types.Process)
                || LocalValues.ReferencedSymbol(owner) is not { } symbol
                || (process is not null && !SymbolEqualityComparer.Default.Equals(process, symbol)))
            {
                return false;
            }

            process = symbol;
        }

        return root.Descendants().OfType<IInvocationOperation>().Any(call =>
            call.TargetMethod.Name == "WaitForExit"
            && call.Syntax.SpanStart < wait.Syntax.SpanStart
            && call.Instance is { } exited
            && SymbolEqualityComparer.Default.Equals(LocalValues.ReferencedSymbol(exited), process));
    }

    /// <summary>
    /// The call's task is stored (in a local, or an element of a local array) and that local is later waited on or
    /// awaited with a CancellationToken that can fire: the wait that counts is that one.
    /// </summary>
    public static bool IsThenWaitedWithAToken(IInvocationOperation call, KnownTypes types)
    {
        var stored = call.Parent?.WalkUpConversion() switch
        {
            ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } => local.Local,
            ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation { ArrayReference: ILocalReferenceOperation array } } => array.Local,
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
            _ => null,
        };
        if (stored is null)
        {
            return false;
        }

        return call.Root().Descendants().OfType<IInvocationOperation>().Any(later =>
            later != call
            && later.TargetMethod.Name is "Wait" or "WaitAll" or "WaitAny" or "WaitAsync" or "WhenAll" or "WhenAny"
            && Timeouts.HasLiveToken(later, types)
            && later.Descendants().OfType<ILocalReferenceOperation>().Any(reference => SymbolEqualityComparer.Default.Equals(reference.Local, stored)));
    }

    /// <summary>
    /// An object the component owns: <c>this</c>, a field or property of it (or of its own objects), a local this
    /// member initialized with <c>new</c> (or an array or collection it built), or the items of such a collection.
    /// </summary>
    private static bool IsOwnObject(IOperation operation, IOperation root, INamedTypeSymbol? component, KnownTypes types, int depth = 0)
    {
        if (depth > 4)
        {
            return false;
        }

        operation = operation.WalkDownConversion();
        switch (operation)
        {
            case IInstanceReferenceOperation:
                return true;
            case IFieldReferenceOperation { Instance: null } field:
                return SymbolEqualityComparer.Default.Equals(field.Field.ContainingType, component);
            case IFieldReferenceOperation { Instance: { } owner }:
                return IsOwnObject(owner, root, component, types, depth + 1);
            case IPropertyReferenceOperation { Instance: { } owner } when owner.WalkDownConversion() is IInstanceReferenceOperation:
                return true;
            case IPropertyReferenceOperation { Instance: { } owner }:
                return IsOwnObject(owner, root, component, types, depth + 1) && !IsTaskOrProcess(operation.Type, types);
            case IObjectCreationOperation or IArrayCreationOperation:
                return true;
            case ILocalReferenceOperation local:
                // The items of a collection this member built: 'foreach (var thread in threads)'.
                if (root.Descendants().OfType<IForEachLoopOperation>().FirstOrDefault(loop => loop.Locals.Contains(local.Local, SymbolEqualityComparer.Default)) is { } loop)
                {
                    return IsOwnObject(loop.Collection, root, component, types, depth + 1);
                }

                return LocalValues.OnlyDeclarator(local.Local, root)?.GetVariableInitializer()?.Value is { } value
                    && IsCreatedHere(value, root, component, types, depth);
            default:
                return false;
        }
    }

    private static bool IsCreatedHere(IOperation value, IOperation root, INamedTypeSymbol? component, KnownTypes types, int depth)
        => value.WalkDownConversion() switch
        {
            IObjectCreationOperation or IArrayCreationOperation => true,
            ILocalReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation or IInstanceReferenceOperation => IsOwnObject(value, root, component, types, depth + 1),
            { } collection when CollectionExpressions.ElementsOf(collection) is not null => true,
            _ => false,
        };

    private static bool IsTaskOrProcess(ITypeSymbol? type, KnownTypes types)
        => TypeSymbols.IsOrDerives(type, types.Task) || TypeSymbols.IsOrDerives(type, types.Process);

    /// <summary>
    /// A CancellationToken's wait handle (<c>token.WaitHandle</c>), or the handle of an object made from a token
    /// (<c>token.GetCancellationEvent().WaitHandle</c>): it is set when the token is cancelled.
    /// </summary>
    private static bool IsTokenHandle(IOperation element, IOperation root, KnownTypes types)
    {
        if (element.WalkDownConversion() is not IPropertyReferenceOperation { Property.Name: "WaitHandle", Instance: { } source })
        {
            return false;
        }

        if (types.IsCancellationToken(source.Type))
        {
            return true;
        }

        return LocalValues.Origin(source, root, PassThroughCalls) is IInvocationOperation made
            && (types.IsCancellationToken(made.Instance?.Type) || made.Arguments.Any(a => a.Parameter?.Ordinal == 0 && types.IsCancellationToken(a.Value.Type)));
    }

    /// <summary>The elements of an array built here: <c>new[] { a, b }</c>, a params array, a collection expression, or a local holding one.</summary>
    private static IReadOnlyList<IOperation>? Elements(IOperation array, IOperation root)
    {
        var value = LocalValues.Origin(array, root, PassThroughCalls);
        return value switch
        {
            IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues,
            { } collection when CollectionExpressions.ElementsOf(collection) is { } elements => elements,
            _ => null,
        };
    }

    private static IOperation? WalkUpConversion(this IOperation operation)
    {
        var current = operation;
        while (current is IConversionOperation && current.Parent is { } parent)
        {
            current = parent;
        }

        return current;
    }
}
