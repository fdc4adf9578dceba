using System.Diagnostics;

namespace Sluice.RabbitMq.Tests.Support;

/// <summary>
/// Runs the built `sluice` command (Sluice.Cli.dll, copied beside the tests) as a child process, given the broker by
/// SLUICE_RABBITMQ as an operator would, so that the password is not on its command line.
/// </summary>
internal static class SluiceCli
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    public static Process Start(IEnumerable<string> arguments, string? broker)
    {
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sluice.Cli.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("SLUICE_STORE");
        if (broker is null)
        {
            info.Environment.Remove("SLUICE_RABBITMQ");
        }
        else
        {
            info.Environment["SLUICE_RABBITMQ"] = broker;
        }

        return Process.Start(info)!;
    }

    /// <summary>Runs <c>sluice rabbitmq dead-letters ...</c> against the test broker and waits for it.</summary>
    public static Task<Result> DeadLettersAsync(params string[] arguments) => RunAsync(["rabbitmq", "dead-letters", .. arguments], Broker.Uri.ToString());

    public static async Task<Result> RunAsync(IEnumerable<string> arguments, string? broker)
    {
        using var process = Start(arguments, broker);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return new Result(process.ExitCode, await output, await error);
    }
}
