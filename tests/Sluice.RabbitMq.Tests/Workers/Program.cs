using System.Globalization;
using System.Runtime.InteropServices;
using Sluice.RabbitMq.Tests.Support;

namespace Sluice.RabbitMq.Tests.Workers;

/// <summary>
/// Entry point used only when the multi-process tests start this assembly as a worker
/// (<c>dotnet Sluice.RabbitMq.Tests.dll worker ...</c>); the test runner itself never calls it.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["worker", var name, var partitions, var storeDirectory, var writerName, var preferred, var transientRate])
        {
            await Console.Error.WriteLineAsync("usage: worker <topology> <partitions> <store-directory> <writer-name> <preferred,partitions> <transient-rate>");
            return 2;
        }

        using var stop = new CancellationTokenSource();

        // SIGTERM (and Ctrl+C) stop the worker gracefully: the run drains, finished records are acknowledged.
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        var topology = new RabbitMqTopology(name, int.Parse(partitions, CultureInfo.InvariantCulture));
        var options = new RabbitMqSourceOptions
        {
            Prefetch = 200,
            PreferredPartitions = preferred.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray(),
            StandbyDelay = TimeSpan.FromSeconds(1),
        };
        var faults = new Faults(double.Parse(transientRate, CultureInfo.InvariantCulture)) { PoisonEnabled = true };
        Console.Out.WriteLine("started");
        Console.Out.Flush();
        await TestWorker.RunAsync(topology, new ResultStore(storeDirectory), writerName, faults, options, stop.Token);
        return 0;
    }
}
