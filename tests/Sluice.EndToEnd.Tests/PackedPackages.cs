using System.Reflection;

namespace Sluice.EndToEnd.Tests;

/// <summary>
/// Packs the whole solution once, with a version unique to this run, into a temp feed. The build output goes to a
/// temp artifacts folder so the repository's own bin/obj are left as they are.
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

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "sluice-e2e-" + Guid.NewGuid().ToString("N")[..12]);

    public string Feed => Path.Combine(Root, "feed");

    public string Version { get; } = $"0.1.0-e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    public CommandResult Pack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Pack = await DotNetCli.RunAsync(
            RepositoryRoot,
            environment: null,
            "pack", Path.Combine(RepositoryRoot, "Analyzers.sln"),
            "-c", "Release",
            "-o", Feed,
            $"-p:Version={Version}",
            "--artifacts-path", Path.Combine(Root, "artifacts"));
    }

    private static string Metadata(string key)
    {
        var value = typeof(PackedPackages).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == key).Value;
        return string.IsNullOrEmpty(value) ? throw new InvalidOperationException($"The test assembly has no '{key}' metadata.") : value;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; failing the run over it would hide the real result.
        }

        return Task.CompletedTask;
    }
}
