using System.Reflection;
using System.Runtime.Versioning;

namespace Sluice.Runtime.Tests;

/// <summary>
/// The runtime ships one build per target framework, and the tests run once per target framework: each run must execute
/// that framework's build of the runtime on that framework's .NET, not roll forward onto a newer one.
/// </summary>
public class TargetRuntimeTests
{
    [Fact]
    public void Each_run_executes_the_runtime_build_of_its_target_framework_on_that_dotnet()
    {
        var target = TargetFrameworkVersion(typeof(TargetRuntimeTests).Assembly);

        Assert.Equal(target.Major, Environment.Version.Major);
        Assert.Equal(target, TargetFrameworkVersion(typeof(SluiceResilience).Assembly));
    }

    private static Version TargetFrameworkVersion(Assembly assembly)
        => new FrameworkName(assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName).Version;
}
