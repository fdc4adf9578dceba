using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Sluice.Analyzers.Idempotency;

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
/// <c>ResiliencePipeline</c>/<c>ResiliencePipeline&lt;T&gt;</c> <c>Execute</c>/<c>ExecuteAsync</c>, or to the runtime's
/// <c>SluiceResilience.Retry</c>/<c>RetryAsync</c>. <see cref="Enclosing"/> is the one place to teach it other retries
/// (hand-rolled retry loops).
/// </summary>
internal sealed class RetryScopes
{
    private readonly INamedTypeSymbol? _pipeline;
    private readonly INamedTypeSymbol? _genericPipeline;
    private readonly INamedTypeSymbol? _sluiceResilience;

    private RetryScopes(INamedTypeSymbol? pipeline, INamedTypeSymbol? genericPipeline, INamedTypeSymbol? sluiceResilience)
    {
        _pipeline = pipeline;
        _genericPipeline = genericPipeline;
        _sluiceResilience = sluiceResilience;
    }

    /// <summary>The retries of this compilation, or null when it references none (then nothing is a retry scope).</summary>
    public static RetryScopes? TryCreate(Compilation compilation)
    {
        var pipeline = compilation.GetTypeByMetadataName("Polly.ResiliencePipeline");
        var genericPipeline = compilation.GetTypeByMetadataName("Polly.ResiliencePipeline`1");
        var sluiceResilience = compilation.GetTypeByMetadataName("Sluice.SluiceResilience");
        return pipeline is null && genericPipeline is null && sluiceResilience is null
            ? null
            : new RetryScopes(pipeline, genericPipeline, sluiceResilience);
    }

    /// <summary>The innermost retry scope that <paramref name="operation"/> runs in, or null when it runs once.</summary>
    public RetryScope? Enclosing(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation function && RetriedBy(function) is { } retryName)
            {
                return new RetryScope(function.Body, retryName);
            }
        }

        return null;
    }

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

        if (method.Name is "Retry" or "RetryAsync"
            && parameter.Name == "operation"
            && SymbolEqualityComparer.Default.Equals(type, _sluiceResilience))
        {
            return "SluiceResilience." + method.Name;
        }

        return null;
    }
}
