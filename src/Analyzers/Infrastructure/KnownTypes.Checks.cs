using Microsoft.CodeAnalysis;

namespace Sluice.Analyzers.Infrastructure;

/// <summary>The type checks several rules make, each written once against the types above.</summary>
internal sealed partial class KnownTypes
{
    /// <summary><c>Exception</c> or <c>SystemException</c>: a type that says nothing about what failed.</summary>
    public bool IsBroadException(ITypeSymbol? type)
        => type is not null
            && (SymbolEqualityComparer.Default.Equals(type, Exception) || SymbolEqualityComparer.Default.Equals(type, SystemException));

    /// <summary><c>OperationCanceledException</c> or a subclass such as <c>TaskCanceledException</c>.</summary>
    public bool IsCancellationException(ITypeSymbol? type) => TypeSymbols.BaseOrSelf(type, OperationCanceledException) is not null;

    /// <summary><c>CancellationToken</c>.</summary>
    public bool IsCancellationToken(ITypeSymbol? type) => type is not null && SymbolEqualityComparer.Default.Equals(type, CancellationToken);

    /// <summary><c>CancellationToken</c> or <c>CancellationTokenSource</c>: something that can stop work.</summary>
    public bool IsCancellationTokenOrSource(ITypeSymbol? type)
        => IsCancellationToken(type) || (type is not null && SymbolEqualityComparer.Default.Equals(type, CancellationTokenSource));

    /// <summary>A <c>System.Linq.Enumerable</c> method called <paramref name="name"/> (as an extension or a static call).</summary>
    public bool IsEnumerableMethod(IMethodSymbol method, string name)
        => method.Name == name && SymbolEqualityComparer.Default.Equals((method.ReducedFrom ?? method).ContainingType, Enumerable);

    /// <summary><c>Thread.Sleep</c> or <c>Task.Delay</c>.</summary>
    public bool IsDelay(IMethodSymbol method)
        => (method.Name == "Sleep" && SymbolEqualityComparer.Default.Equals(method.ContainingType, Thread))
            || (method.Name == "Delay" && SymbolEqualityComparer.Default.Equals(method.ContainingType, Task));

    /// <summary>
    /// A method of a Polly v8 pipeline (<c>ResiliencePipeline</c>, <c>ResiliencePipeline&lt;T&gt;</c>), of <c>SluiceResilience</c>, or an
    /// <c>Execute...</c> method of a Polly v7 policy.
    /// </summary>
    public bool IsResilienceCall(IMethodSymbol method)
    {
        var type = method.ContainingType?.OriginalDefinition;
        return type is not null
            && (SymbolEqualityComparer.Default.Equals(type, ResiliencePipeline)
                || SymbolEqualityComparer.Default.Equals(type, GenericResiliencePipeline)
                || SymbolEqualityComparer.Default.Equals(type, SluiceResilience)
                || (method.Name.StartsWith("Execute", System.StringComparison.Ordinal) && PollyIsPolicy is { } v7
                    && TypeSymbols.IsOrDerives(type, v7)));
    }
}
