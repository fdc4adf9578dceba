using System.Diagnostics;

namespace Sluice.Cli.Tests;

/// <summary>
/// Runs the built `sluice` command (Sluice.Cli.dll, copied beside the tests) as a child process. Also compiled into the
/// RabbitMQ tests, which run the tool against the broker. The child sees none of the operator's store variables unless a
/// test gives them, so what a developer has set in their shell cannot change a result.
/// </summary>
internal static class SluiceProcess
{
    private static readonly string[] StoreVariables = ["SLUICE_STORE", "SLUICE_POSTGRES", "SLUICE_RABBITMQ"];

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    public static Task<Result> RunAsync(params string[] arguments) => RunAsync(new Dictionary<string, string>(), arguments);

    public static Task<Result> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
        => RunAsync(arguments, environment, TimeSpan.FromSeconds(60));

    /// <summary>Runs the tool with <paramref name="environment"/> set and waits at most <paramref name="timeout"/> for it.</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        using var process = Start(arguments, environment);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(timeout);
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Starts the tool with its output redirected, for a test that kills it part-way.</summary>
    public static Process Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sluice.Cli.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var variable in StoreVariables)
        {
            info.Environment.Remove(variable);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return Process.Start(info)!;
    }
}
