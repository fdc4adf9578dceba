using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Idempotency;

/// <summary>
/// The types the retry rules (SLU402–SLU405) look for, resolved once per compilation. Only <c>System.Exception</c> is
/// required; every other type may be absent, and then what it identifies is simply never found.
/// </summary>
internal sealed class RetryTypes
{
    private readonly INamedTypeSymbol _exception;
    private readonly INamedTypeSymbol? _systemException;
    private readonly INamedTypeSymbol? _thread;
    private readonly INamedTypeSymbol? _task;
    private readonly INamedTypeSymbol? _cancellationToken;
    private readonly INamedTypeSymbol? _logger;
    private readonly INamedTypeSymbol? _loggerExtensions;
    private readonly INamedTypeSymbol? _console;
    private readonly INamedTypeSymbol? _debug;
    private readonly INamedTypeSymbol? _trace;

    private RetryTypes(Compilation compilation, INamedTypeSymbol exception)
    {
        _exception = exception;
        _systemException = compilation.GetTypeByMetadataName("System.SystemException");
        _thread = compilation.GetTypeByMetadataName("System.Threading.Thread");
        _task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        _cancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        _logger = compilation.GetTypeByMetadataName("Microsoft.Extensions.Logging.ILogger");
        _loggerExtensions = compilation.GetTypeByMetadataName("Microsoft.Extensions.Logging.LoggerExtensions");
        _console = compilation.GetTypeByMetadataName("System.Console");
        _debug = compilation.GetTypeByMetadataName("System.Diagnostics.Debug");
        _trace = compilation.GetTypeByMetadataName("System.Diagnostics.Trace");
        ResiliencePipeline = compilation.GetTypeByMetadataName("Polly.ResiliencePipeline");
        GenericResiliencePipeline = compilation.GetTypeByMetadataName("Polly.ResiliencePipeline`1");
        SluiceResilience = compilation.GetTypeByMetadataName("Sluice.SluiceResilience");
    }

    /// <summary>Polly's <c>ResiliencePipeline</c>, when Polly.Core is referenced.</summary>
    public INamedTypeSymbol? ResiliencePipeline { get; }

    /// <summary>Polly's <c>ResiliencePipeline&lt;T&gt;</c>, when Polly.Core is referenced.</summary>
    public INamedTypeSymbol? GenericResiliencePipeline { get; }

    /// <summary>The Sluice runtime's <c>SluiceResilience</c>, when the runtime is referenced.</summary>
    public INamedTypeSymbol? SluiceResilience { get; }

    /// <summary>The types of the compilation, or null when it has no <c>System.Exception</c> (nothing to analyze).</summary>
    public static RetryTypes? TryCreate(Compilation compilation)
        => compilation.GetTypeByMetadataName("System.Exception") is { } exception ? new RetryTypes(compilation, exception) : null;

    /// <summary><c>Exception</c> or <c>SystemException</c>: a type that says nothing about what failed.</summary>
    public bool IsBroadException(ITypeSymbol? type)
        => SymbolEqualityComparer.Default.Equals(type, _exception) || SymbolEqualityComparer.Default.Equals(type, _systemException);

    /// <summary>True for <c>CancellationToken</c>.</summary>
    public bool IsCancellationToken(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type, _cancellationToken);

    /// <summary>
    /// The <c>Thread.Sleep(...)</c> or <c>Task.Delay(...)</c> call of a statement's expression, seen through <c>await</c>
    /// and <c>ConfigureAwait</c>; null for anything else.
    /// </summary>
    public IInvocationOperation? AsDelay(IOperation? operation)
    {
        operation = operation?.WalkDownConversion();
        if (operation is IAwaitOperation awaited)
        {
            operation = awaited.Operation.WalkDownConversion();
            if (operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured })
            {
                operation = configured.WalkDownConversion();
            }
        }

        return operation is IInvocationOperation invocation && IsDelay(invocation.TargetMethod) ? invocation : null;
    }

    /// <summary><c>Thread.Sleep</c> or <c>Task.Delay</c>.</summary>
    public bool IsDelay(IMethodSymbol method)
        => (method.Name == "Sleep" && SymbolEqualityComparer.Default.Equals(method.ContainingType, _thread))
            || (method.Name == "Delay" && SymbolEqualityComparer.Default.Equals(method.ContainingType, _task));

    /// <summary>A call that only writes a log line: an <c>ILogger</c> method or extension, <c>Console.Write*</c>, <c>Debug</c> or <c>Trace</c>.</summary>
    public bool IsLogging(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType;
        if (SymbolEqualityComparer.Default.Equals(type, _loggerExtensions) || SymbolEqualityComparer.Default.Equals(type, _logger))
        {
            return true;
        }

        if (_logger is not null && invocation.Instance?.Type is { } receiver)
        {
            foreach (var implemented in receiver.AllInterfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(implemented, _logger))
                {
                    return true;
                }
            }
        }

        return (SymbolEqualityComparer.Default.Equals(type, _console) && method.Name.StartsWith("Write", System.StringComparison.Ordinal))
            || SymbolEqualityComparer.Default.Equals(type, _debug)
            || SymbolEqualityComparer.Default.Equals(type, _trace);
    }

    /// <summary>A call that already goes through a resilience library: a Polly pipeline or <c>SluiceResilience</c>.</summary>
    public bool IsResilienceCall(IMethodSymbol method)
    {
        var type = method.ContainingType?.OriginalDefinition;
        return (ResiliencePipeline is not null && SymbolEqualityComparer.Default.Equals(type, ResiliencePipeline))
            || (GenericResiliencePipeline is not null && SymbolEqualityComparer.Default.Equals(type, GenericResiliencePipeline))
            || (SluiceResilience is not null && SymbolEqualityComparer.Default.Equals(type, SluiceResilience));
    }
}
