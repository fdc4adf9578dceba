namespace Sluice;

/// <summary>Names shared by the runtime's telemetry and by the analyzers that detect the runtime.</summary>
public static class SluiceInfo
{
    /// <summary>The name of the runtime's <c>Meter</c> and <c>ActivitySource</c>.</summary>
    public const string TelemetryName = "Sluice";
}
