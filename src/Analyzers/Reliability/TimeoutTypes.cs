using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Reliability;

/// <summary>The types the timeout rules (SLU301, SLU302) look for, resolved once per compilation; any may be absent.</summary>
internal sealed class TimeoutTypes
{
    private TimeoutTypes(Compilation compilation)
    {
        Timeout = compilation.GetTypeByMetadataName("System.Threading.Timeout");
        TimeSpan = compilation.GetTypeByMetadataName("System.TimeSpan");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        HttpClient = compilation.GetTypeByMetadataName("System.Net.Http.HttpClient");
        SocketsHttpHandler = compilation.GetTypeByMetadataName("System.Net.Http.SocketsHttpHandler");
        DbCommand = compilation.GetTypeByMetadataName("System.Data.Common.DbCommand");
        IDbCommand = compilation.GetTypeByMetadataName("System.Data.IDbCommand");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        Thread = compilation.GetTypeByMetadataName("System.Threading.Thread");
    }

    public INamedTypeSymbol? Timeout { get; }

    public INamedTypeSymbol? TimeSpan { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? HttpClient { get; }

    public INamedTypeSymbol? SocketsHttpHandler { get; }

    public INamedTypeSymbol? DbCommand { get; }

    public INamedTypeSymbol? IDbCommand { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? Thread { get; }

    public static TimeoutTypes Create(Compilation compilation) => new(compilation);

    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? expected)
        => expected is not null && SymbolEqualityComparer.Default.Equals(type?.OriginalDefinition, expected);

    /// <summary><c>Timeout.InfiniteTimeSpan</c> or <c>TimeSpan.FromMilliseconds(-1)</c>.</summary>
    public bool IsInfiniteTimeSpan(IOperation value)
    {
        value = value.WalkDownConversion();
        return value switch
        {
            IFieldReferenceOperation { Field.Name: "InfiniteTimeSpan" } field => Is(field.Field.ContainingType, Timeout),
            IInvocationOperation { TargetMethod.Name: "FromMilliseconds", Arguments.Length: > 0 } invocation
                => Is(invocation.TargetMethod.ContainingType, TimeSpan) && IsMinusOne(invocation.Arguments[0].Value),
            _ => false,
        };
    }

    /// <summary><c>Timeout.Infinite</c> or a literal -1: the .NET convention for "no timeout" in milliseconds.</summary>
    public static bool IsMinusOne(IOperation value)
        => value.WalkDownConversion().ConstantValue is { HasValue: true, Value: int or long } constant && System.Convert.ToInt64(constant.Value, System.Globalization.CultureInfo.InvariantCulture) == -1;

    public static bool IsZero(IOperation value)
        => value.WalkDownConversion().ConstantValue is { HasValue: true, Value: int or long } constant && System.Convert.ToInt64(constant.Value, System.Globalization.CultureInfo.InvariantCulture) == 0;

    /// <summary>
    /// True when the invocation receives a CancellationToken that can actually fire; <c>default</c>,
    /// <c>CancellationToken.None</c> and an omitted optional token cannot.
    /// </summary>
    public bool HasLiveToken(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (!Is(argument.Value.Type, CancellationToken) || argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                continue;
            }

            var value = argument.Value.WalkDownConversion();
            var cannotFire = value is IDefaultValueOperation
                || value is IFieldReferenceOperation { Field.Name: "None" }
                || value is IPropertyReferenceOperation { Property.Name: "None" }
                || value is IObjectCreationOperation { Arguments.Length: 0 };
            if (!cannotFire)
            {
                return true;
            }
        }

        return false;
    }
}
