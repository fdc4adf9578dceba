using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;

namespace Sluice.Analyzers.Tests.Harness;

/// <summary>
/// A library a test source may reference. The assemblies are taken from the test host's trusted platform
/// assemblies (the test project's package references put them there), so nothing is downloaded and a test
/// that leaves a library out checks the "library not referenced" path.
/// </summary>
public sealed class Library
{
    private static readonly ConcurrentDictionary<string, MetadataReference> Cache = new(StringComparer.Ordinal);

    private static readonly Lazy<IReadOnlyDictionary<string, string>> TrustedAssemblies = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .GroupBy(path => Path.GetFileNameWithoutExtension(path), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => group.First(), StringComparer.OrdinalIgnoreCase));

    private Library(string name, params string[] assemblyNames)
    {
        Name = name;
        AssemblyNames = assemblyNames;
    }

    public string Name { get; }

    public IReadOnlyList<string> AssemblyNames { get; }

    /// <summary>Microsoft.Extensions.Logging.Abstractions (ILogger and the LogError extensions).</summary>
    public static Library Logging { get; } = new(
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions");

    /// <summary>EF Core with its relational layer.</summary>
    public static Library EntityFrameworkCore { get; } = new(
        "Microsoft.EntityFrameworkCore",
        "Microsoft.EntityFrameworkCore",
        "Microsoft.EntityFrameworkCore.Abstractions",
        "Microsoft.EntityFrameworkCore.Relational",
        "Microsoft.Extensions.Caching.Abstractions",
        "Microsoft.Extensions.Caching.Memory",
        "Microsoft.Extensions.Configuration.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
        "Microsoft.Extensions.Logging",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.Options",
        "Microsoft.Extensions.Primitives");

    public static Library Dapper { get; } = new("Dapper", "Dapper");

    /// <summary>CsvHelper (34: CsvReader.Create, GetRecords, GetRecordsAsync).</summary>
    public static Library CsvHelper { get; } = new("CsvHelper", "CsvHelper");

    /// <summary>Microsoft.Data.Analysis (the single-process DataFrame) with the Arrow types its API names.</summary>
    public static Library DataAnalysis { get; } = new("Microsoft.Data.Analysis", "Microsoft.Data.Analysis", "Apache.Arrow", "Microsoft.ML.DataView");

    /// <summary>Parquet.Net (ParquetSerializer, ParquetReader).</summary>
    public static Library Parquet { get; } = new("Parquet.Net", "Parquet");

    public static Library Npgsql { get; } = new("Npgsql", "Npgsql", "Microsoft.Extensions.Logging.Abstractions");

    public static Library Polly { get; } = new("Polly.Core", "Polly.Core");

    /// <summary>RabbitMQ.Client 7 (IChannel, AsyncEventingBasicConsumer, AsyncDefaultBasicConsumer).</summary>
    public static Library RabbitMq { get; } = new("RabbitMQ.Client", "RabbitMQ.Client");

    /// <summary>
    /// RabbitMQ.Client 6 (IModel, EventingBasicConsumer, DefaultBasicConsumer, sync BasicAck): not on the test host,
    /// which has version 7, but downloaded beside it; the project file records its path.
    /// </summary>
    public static Library RabbitMq6 { get; } = new("RabbitMQ.Client 6", MetadataPath("RabbitMqClient6"));

    /// <summary>Azure Service Bus (ServiceBusProcessor, ProcessMessageEventArgs) with the Azure.Core types its API shows.</summary>
    public static Library ServiceBus { get; } = new(
        "Azure.Messaging.ServiceBus",
        "Azure.Messaging.ServiceBus",
        "Azure.Core",
        "Azure.Core.Amqp",
        "System.ClientModel",
        "System.Memory.Data");

    /// <summary>Confluent.Kafka (IConsumer, ConsumeResult, IProducer).</summary>
    public static Library Kafka { get; } = new("Confluent.Kafka", "Confluent.Kafka");

    /// <summary>The <c>Polly</c> package: Polly v7's <c>Policy</c> API, on top of Polly.Core.</summary>
    public static Library PollyV7 { get; } = new("Polly", "Polly", "Polly.Core");

    /// <summary>Microsoft.Data.SqlClient (SqlConnection, SqlBulkCopy).</summary>
    public static Library SqlClient { get; } = new("Microsoft.Data.SqlClient", "Microsoft.Data.SqlClient");

    /// <summary>ASP.NET Core's authorization services (IAuthorizationPolicyProvider, IAuthorizationService).</summary>
    public static Library AspNetCoreAuthorization { get; } = new(
        "Microsoft.AspNetCore.Authorization",
        "Microsoft.AspNetCore.Authorization",
        "Microsoft.AspNetCore.Metadata",
        "Microsoft.Extensions.Options");

    /// <summary>The Sluice runtime, which switches the code fixes to their runtime forms.</summary>
    public static Library SluiceRuntime { get; } = new(
        "Sluice",
        "Sluice",
        "Polly.Core",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions");

    /// <summary>The .NET shared framework the tests run on (System.*, Microsoft.Win32.*, netstandard...).</summary>
    public static IReadOnlyList<MetadataReference> Framework { get; } = LoadFramework();

    public IEnumerable<MetadataReference> References => AssemblyNames.Select(Load);

    private static MetadataReference Load(string assemblyName)
    {
        if (Path.IsPathRooted(assemblyName))
        {
            return File.Exists(assemblyName)
                ? Cache.GetOrAdd(assemblyName, p => MetadataReference.CreateFromFile(p))
                : throw new InvalidOperationException($"'{assemblyName}' is missing: restore Sluice.Analyzers.Tests.csproj, which downloads it.");
        }

        if (!TrustedAssemblies.Value.TryGetValue(assemblyName, out var path))
        {
            throw new InvalidOperationException(
                $"Assembly '{assemblyName}' is not on the test host. Add a PackageReference for it to Sluice.Analyzers.Tests.csproj.");
        }

        return Cache.GetOrAdd(path, p => MetadataReference.CreateFromFile(p));
    }

    /// <summary>A path the project file records as assembly metadata (an assembly downloaded but not referenced).</summary>
    private static string MetadataPath(string key)
        => typeof(Library).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == key)?.Value
            ?? throw new InvalidOperationException($"The test assembly records no '{key}'.");

    private static IReadOnlyList<MetadataReference> LoadFramework()
    {
        var frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return TrustedAssemblies.Value.Values
            .Where(path => string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.Ordinal))
            .Select(path => Cache.GetOrAdd(path, p => MetadataReference.CreateFromFile(p)))
            .ToList();
    }

    public override string ToString() => Name;
}
