using System.Diagnostics;
using Sluice.Cli.Tests;

namespace Sluice.RabbitMq.Tests.Support;

/// <summary>
/// Runs the built `sluice` command against the test broker through <see cref="SluiceProcess"/>, given the broker by
/// SLUICE_RABBITMQ as an operator would, so that the password is not on its command line.
/// </summary>
internal static class SluiceCli
{
    public static Process Start(IEnumerable<string> arguments, string? broker) => SluiceProcess.Start(arguments, Environment(broker));

    /// <summary>Runs <c>sluice rabbitmq dead-letters ...</c> against the test broker and waits for it.</summary>
    public static Task<SluiceProcess.Result> DeadLettersAsync(params string[] arguments) => RunAsync(["rabbitmq", "dead-letters", .. arguments], Broker.Uri.ToString());

    public static Task<SluiceProcess.Result> RunAsync(IEnumerable<string> arguments, string? broker)
        => SluiceProcess.RunAsync(arguments, Environment(broker), TimeSpan.FromSeconds(120));

    private static Dictionary<string, string> Environment(string? broker)
        => broker is null ? [] : new() { ["SLUICE_RABBITMQ"] = broker };
}
