namespace Sluice.Runtime.Tests;

public class SluiceInfoTests
{
    [Fact]
    public void Telemetry_name_is_the_package_name()
    {
        Assert.Equal("Sluice", SluiceInfo.TelemetryName);
        Assert.Equal("Sluice", typeof(SluiceInfo).Assembly.GetName().Name);
    }
}
