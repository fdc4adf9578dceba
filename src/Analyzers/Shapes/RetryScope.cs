using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Contract;

namespace Sluice.Analyzers.Shapes;

/// <summary>A piece of code that runs again on every retry: its body, and the retry as the message names it.</summary>
internal sealed class RetryScope
{
    public RetryScope(IOperation body, string retryName)
    {
        Body = body;
        RetryName = retryName;
    }

    /// <summary>The operations that run on every attempt (a retried delegate's body).</summary>
    public IOperation Body { get; }

    /// <summary>The retry as messages name it, e.g. <c>ExecuteAsync</c> or <c>SluiceResilience.RetryAsync</c>.</summary>
    public string RetryName { get; }
}

/// <summary>
/// Answers "does this operation run again on every retry?" for SLU401: it does inside the delegate passed to a Polly
/// <c>ResiliencePipeline</c>/<c>ResiliencePipeline&lt;T&gt;</c> <c>Execute</c>/<c>ExecuteAsync</c>, to the <c>Execute</c>
/// methods of a Polly v7 retry policy (see <see cref="PollyV7Policies.IsRetryPolicy"/>), or to the runtime's
/// <c>SluiceResilience.Retry</c>/<c>RetryAsync</c>, and inside the try of a hand-rolled retry loop (SLU402's shape, as
/// <see cref="RetryLoops"/> recognizes it). <see cref="Enclosing"/> is the one place to teach it other retries.
/// </summary>
internal sealed class RetryScopes
{
    /// <summary>How messages name a hand-rolled retry loop.</summary>
    internal const string HandRolledLoop = "this hand-rolled retry loop";

    private readonly INamedTypeSymbol? _pipeline;
    private readonly INamedTypeSymbol? _genericPipeline;
    private readonly INamedTypeSymbol? _sluiceResilience;
    private readonly KnownTypes _types;
    private readonly PollyV7Policies? _v7;

    private RetryScopes(KnownTypes types)
    {
        _types = types;
        _v7 = PollyV7Policies.TryCreate(types);
        _pipeline = types.ResiliencePipeline;
        _genericPipeline = types.GenericResiliencePipeline;
        _sluiceResilience = types.SluiceResilience;
    }

    /// <summary>
    /// The retries of this compilation. Hand-rolled retry loops need nothing but <c>System.Exception</c>, so this is
    /// null only for a compilation without one (then nothing is a retry scope).
    /// </summary>
    public static RetryScopes? TryCreate(KnownTypes types)
        => types.Exception is not null ? new RetryScopes(types) : null;

    /// <summary>The innermost retry scope that <paramref name="operation"/> runs in, or null when it runs once.</summary>
    public RetryScope? Enclosing(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation function && Of(function) is { } retried)
            {
                return retried;
            }

            // Only the try runs again: what the catch does between attempts (log, wait) runs once per failure.
            if (current is ILoopOperation loop
                && Of(loop) is { } attempt
                && attempt.Body.Syntax.Span.Contains(operation.Syntax.Span))
            {
                return attempt;
            }
        }

        return null;
    }

    /// <summary>
    /// The retry scope <paramref name="function"/> is, when it is the callback a retry runs again; null otherwise.
    /// With <see cref="Of(ILoopOperation)"/>, the entry point for an analyzer that starts from the retries and walks
    /// their bodies, instead of walking up from every operation: the scopes are few, the operations many.
    /// </summary>
    public RetryScope? Of(IAnonymousFunctionOperation function)
        => RetriedBy(function) is { } retryName ? new RetryScope(function.Body, retryName) : null;

    /// <summary>The retry scope of a hand-rolled retry loop: the loop's try, which runs again; null for any other loop.</summary>
    public RetryScope? Of(ILoopOperation loop)
        => RetryLoops.TryMatch(loop, _types, out var shape) ? new RetryScope(shape!.Try.Body, HandRolledLoop) : null;

    /// <summary>The retry that <paramref name="function"/> is handed to as its callback, if any.</summary>
    private string? RetriedBy(IAnonymousFunctionOperation function)
    {
        var parent = function.Parent;
        while (parent is IDelegateCreationOperation or IConversionOperation)
        {
            parent = parent.Parent;
        }

        // The retried callback only: not Sluice's shouldRetry predicate, which runs once per failure.
        if (parent is not IArgumentOperation { Parameter: { Type.TypeKind: TypeKind.Delegate } parameter, Parent: IInvocationOperation call })
        {
            return null;
        }

        var method = call.TargetMethod;
        var type = method.ContainingType.OriginalDefinition;
        if (method.Name is "Execute" or "ExecuteAsync"
            && parameter.Name == "callback"
            && (SymbolEqualityComparer.Default.Equals(type, _pipeline) || SymbolEqualityComparer.Default.Equals(type, _genericPipeline)))
        {
            return method.Name;
        }

        // Polly v7: policy.Execute(...)/ExecuteAsync(...)/ExecuteAndCapture(Async)(...) of a retry policy.
        if (_v7 is not null && _v7.IsExecute(call) && _v7.IsRetryPolicy(call.Instance))
        {
            return "this Polly retry policy's " + method.Name;
        }

        if (method.Name is RuntimeContract.Resilience.Retry or RuntimeContract.Resilience.RetryAsync
            && parameter.Name == RuntimeContract.Resilience.OperationParameter
            && SymbolEqualityComparer.Default.Equals(type, _sluiceResilience))
        {
            return "SluiceResilience." + method.Name;
        }

        return null;
    }
}
