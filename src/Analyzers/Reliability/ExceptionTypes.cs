using Microsoft.CodeAnalysis;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Reliability;

/// <summary>The exception and cancellation types SLU201 compares against, resolved once per compilation.</summary>
internal sealed class ExceptionTypes
{
    private readonly INamedTypeSymbol _exception;
    private readonly INamedTypeSymbol? _systemException;
    private readonly INamedTypeSymbol? _operationCanceled;
    private readonly INamedTypeSymbol? _cancellationToken;
    private readonly INamedTypeSymbol? _cancellationTokenSource;

    private ExceptionTypes(Compilation compilation, INamedTypeSymbol exception)
    {
        _exception = exception;
        _systemException = compilation.GetTypeByMetadataName("System.SystemException");
        _operationCanceled = compilation.GetTypeByMetadataName("System.OperationCanceledException");
        _cancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        _cancellationTokenSource = compilation.GetTypeByMetadataName("System.Threading.CancellationTokenSource");
    }

    public static ExceptionTypes? TryCreate(Compilation compilation)
        => compilation.GetTypeByMetadataName("System.Exception") is { } exception
            ? new ExceptionTypes(compilation, exception)
            : null;

    /// <summary><c>Exception</c> or <c>SystemException</c>: a catch that cannot know what it caught.</summary>
    public bool IsBroad(ITypeSymbol type)
        => SymbolEqualityComparer.Default.Equals(type, _exception) || SymbolEqualityComparer.Default.Equals(type, _systemException);

    /// <summary><c>OperationCanceledException</c> or a subclass such as <c>TaskCanceledException</c>.</summary>
    public bool IsCancellation(ITypeSymbol type) => TypeSymbols.BaseOrSelf(type, _operationCanceled) is not null;

    public bool IsCancellationToken(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type, _cancellationToken);

    public bool IsCancellationSource(ITypeSymbol? type)
        => IsCancellationToken(type) || SymbolEqualityComparer.Default.Equals(type, _cancellationTokenSource);
}
