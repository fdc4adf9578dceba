using System.Reflection;

namespace Sluice.EndToEnd.Tests;

/// <summary>
/// Packs the whole solution once per test run, with a version unique to this run, into a temp feed, for every test
/// class that uses this fixture. The build output goes to a temp artifacts folder so the repository's own bin/obj are
/// left as they are; the temp folder is deleted when the test process exits.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    /// <summary>The machine's NuGet global packages folder, where the test's own restore put EF Core and Polly.</summary>
    public static string GlobalPackagesFolder { get; } = Metadata("GlobalPackagesFolder");

    /// <summary>The EF Core version the repository pins (Directory.Packages.props).</summary>
    public static string EntityFrameworkCoreVersion { get; } = Metadata("EntityFrameworkCoreVersion");

    /// <summary>The RabbitMQ.Client version the repository pins (Directory.Packages.props).</summary>
    public static string RabbitMqClientVersion { get; } = Metadata("RabbitMqClientVersion");

    private static readonly string SharedRoot = Path.Combine(Path.GetTempPath(), "sluice-e2e-" + Guid.NewGuid().ToString("N")[..12]);

    private static readonly string SharedVersion = $"0.1.0-e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    private static readonly Lazy<Task<CommandResult>> SharedPack = new(PackOnceAsync);

    public string Root => SharedRoot;

    public string Feed => Path.Combine(Root, "feed");

    public string Version => SharedVersion;

    public CommandResult Pack { get; private set; } = null!;

    /// <summary>The arguments of the pack command the README's Install section gives, which this fixture runs.</summary>
    public static IReadOnlyList<string> ReadmePackArguments { get; } = ["pack", "Analyzers.sln", "-c", "Release"];

    public async Task InitializeAsync() => Pack = await SharedPack.Value;

    private static async Task<CommandResult> PackOnceAsync()
    {
        Directory.CreateDirectory(SharedRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteRoot();

        // The README's command, with this run's feed, version and build folder.
        return await DotNetCli.RunAsync(
            RepositoryRoot,
            environment: null,
            [.. ReadmePackArguments, "-o", Path.Combine(SharedRoot, "feed"), $"-p:Version={SharedVersion}", "--artifacts-path", Path.Combine(SharedRoot, "artifacts")]);
    }

    private static string Metadata(string key)
    {
        var value = typeof(PackedPackages).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == key).Value;
        return string.IsNullOrEmpty(value) ? throw new InvalidOperationException($"The test assembly has no '{key}' metadata.") : value;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static void DeleteRoot()
    {
        try
        {
            Directory.Delete(SharedRoot, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; failing the run over it would hide the real result.
        }
    }
}
