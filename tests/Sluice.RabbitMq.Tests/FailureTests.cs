using System.Diagnostics;
using System.Globalization;
using Sluice.RabbitMq.Tests.Support;
using Sluice.RabbitMq.Tests.Workers;
using Xunit.Abstractions;

namespace Sluice.RabbitMq.Tests;

/// <summary>
/// Crashes against the real broker: worker processes SIGKILLed and restarted, and the broker itself stopped and started
/// mid-run. Every record must end exactly once in the result store (idempotent by message id) or in the dead-letter
/// queue, the records of each key in publishing order, and nothing may stay unacknowledged.
/// </summary>
public sealed class FailureTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>The records of the multi-process test; SLUICE_RABBITMQ_MULTIPROCESS_RECORDS overrides it.</summary>
    private const int MultiProcessRecords = 100_000;

    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-rabbitmq-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public async Task Three_worker_processes_one_killed_and_restarted_lose_nothing_duplicate_nothing_and_keep_key_order()
    {
        Broker.Require();
        var count = Environment.GetEnvironmentVariable("SLUICE_RABBITMQ_MULTIPROCESS_RECORDS") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : MultiProcessRecords;
        var topology = Broker.NewTopology(6);
        var store = new ResultStore(Path.Combine(_directory, "store"));
        var workers = new Process?[3];
        var clock = Stopwatch.StartNew();
        try
        {
            var records = Keyed.Make(count, keys: 1000);
            var faults = new Faults(0) { PoisonEnabled = true };
            var poison = records.Where(r => faults.IsPoison(r.Index)).Select(r => r.MessageId).ToHashSet();
            var good = records.Length - poison.Count;
            for (var i = 0; i < workers.Length; i++)
            {
                workers[i] = StartWorker(topology, store, i, generation: 0);
            }

            var publishing = Task.Run(() => WorkerTests.PublishAsync(topology, records, maxOutstanding: 2048));

            // SIGKILL worker 0 once a fifth of the records are stored; it restarts as a standby of the partitions
            // the others took over.
            await WaitForAsync(() => store.CountLines() >= count / 5, workers, TimeSpan.FromMinutes(5));
            workers[0]!.Kill();
            await workers[0]!.WaitForExitAsync();
            var storedAtKill = store.CountLines();
            output.WriteLine($"worker 0 killed at {clock.Elapsed.TotalSeconds:F1} s with {storedAtKill} lines stored");
            await Task.Delay(500);
            workers[0] = StartWorker(topology, store, 0, generation: 1);

            await publishing;
            output.WriteLine($"published {count} records in {clock.Elapsed.TotalSeconds:F1} s");
            await WaitForAsync(() => store.CountLines() >= good, workers, TimeSpan.FromMinutes(10));
            await WaitForAsync(() => store.Read().Count == good && Broker.ReadyAsync(topology.DeadLetterQueue).GetAwaiter().GetResult() >= poison.Count, workers, TimeSpan.FromMinutes(2));
            output.WriteLine($"all records stored or dead-lettered at {clock.Elapsed.TotalSeconds:F1} s");

            // Graceful stop: SIGTERM drains each worker; then a message left unacknowledged would be ready again.
            foreach (var worker in workers)
            {
                using var term = Process.Start("kill", ["-TERM", worker!.Id.ToString(CultureInfo.InvariantCulture)]);
                await term.WaitForExitAsync();
            }

            foreach (var worker in workers)
            {
                await worker!.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.True(worker.ExitCode == 0, $"a worker exited with {worker.ExitCode}: {File.ReadAllText(LogPath(store, worker))}");
            }

            var stored = store.Read();
            Assert.Equal(records.Select(r => r.MessageId).Except(poison).Order(), stored.Select(e => e.MessageId).Order());
            WorkerTests.AssertKeyOrder(stored);
            output.WriteLine($"{store.CountLines() - good} duplicate writes (redeliveries) recognised by message id");
            for (var partition = 0; partition < topology.Partitions; partition++)
            {
                Assert.Equal(0u, await Broker.ReadyAsync(topology.Queue(partition)));
            }

            var deadLettered = (await Broker.DrainAsync(topology.DeadLetterQueue)).Select(m => m.BasicProperties.MessageId!).ToList();
            Assert.Equal(poison.Order(), deadLettered.Distinct().Order());
            output.WriteLine($"{deadLettered.Count - poison.Count} duplicate dead letters recognised by message id; total {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            foreach (var worker in workers)
            {
                if (worker is { HasExited: false })
                {
                    worker.Kill();
                }

                worker?.Dispose();
            }

            await Broker.DeleteAsync(topology);
        }
    }

    [SkippableFact]
    public async Task A_broker_restart_mid_run_loses_nothing()
    {
        Broker.RequireControl();
        var topology = Broker.NewTopology(4);
        var restarted = false;
        var clock = Stopwatch.StartNew();
        try
        {
            var records = Keyed.Make(20_000, keys: 300);
            var faults = new Faults(transientRate: 0.02) { PoisonEnabled = true, RecordDelay = TimeSpan.FromMilliseconds(0.5) };
            var poison = records.Where(r => faults.IsPoison(r.Index)).Select(r => r.MessageId).ToHashSet();
            var good = records.Length - poison.Count;
            var store = new ResultStore(Path.Combine(_directory, "store"));
            RabbitMqSource? source = null;
            using var stop = new CancellationTokenSource();
            var worker = TestWorker.RunAsync(topology, store, "w", faults, new RabbitMqSourceOptions(), stop.Token, parallelism: 1, onSource: s => source = s);

            await using var publisher = new RabbitMqPublisher<Keyed>(Broker.Factory(), topology, Keyed.PublisherOptions(maxOutstanding: 512));
            var publishing = Task.Run(() => publisher.PublishAllAsync(records));
            await WorkerTests.WaitUntilAsync(() => Task.FromResult(store.CountLines() >= 2000), worker);

            // Stop and start the broker while the producer publishes and the worker consumes.
            await Broker.ControlAsync("stop_app");
            restarted = true;
            output.WriteLine($"broker stopped at {clock.Elapsed.TotalSeconds:F1} s with {store.CountLines()} lines stored and {publisher.Confirmed} confirmed");
            await Task.Delay(2000);
            await Broker.ControlAsync("start_app");
            await Broker.ControlAsync("await_startup");
            restarted = false;
            output.WriteLine($"broker started again at {clock.Elapsed.TotalSeconds:F1} s");

            Assert.Equal(records.Length, await publishing);
            var progress = Stopwatch.StartNew();
            await WorkerTests.WaitUntilAsync(
                async () =>
                {
                    if (progress.Elapsed > TimeSpan.FromSeconds(5))
                    {
                        progress.Restart();
                        output.WriteLine($"progress at {clock.Elapsed.TotalSeconds:F0}s lines {store.CountLines()} dlq {await Broker.ReadyAsync(topology.DeadLetterQueue)} delivered {source!.Delivered} acked {source.Acknowledged} reconnections {source.Reconnections}");
                    }

                    return store.CountLines() >= good && store.Read().Count == good && await Broker.ReadyAsync(topology.DeadLetterQueue) >= poison.Count;
                },
                worker,
                seconds: 300);
            output.WriteLine($"all records stored or dead-lettered at {clock.Elapsed.TotalSeconds:F1} s");
            await stop.CancelAsync();
            await worker;

            output.WriteLine($"publisher republished {publisher.Republished}, worker reconnected {source!.Reconnections} time(s)");
            Assert.True(source.Reconnections >= 1, "the worker did not notice the restart");
            var stored = store.Read();
            Assert.Equal(records.Select(r => r.MessageId).Except(poison).Order(), stored.Select(e => e.MessageId).Order());
            WorkerTests.AssertKeyOrder(stored);
            for (var partition = 0; partition < topology.Partitions; partition++)
            {
                Assert.Equal(0u, await Broker.ReadyAsync(topology.Queue(partition)));
            }

            Assert.Equal(poison.Order(), (await Broker.DrainAsync(topology.DeadLetterQueue)).Select(m => m.BasicProperties.MessageId!).Distinct().Order());
        }
        finally
        {
            if (restarted)
            {
                await Broker.ControlAsync("start_app");
                await Broker.ControlAsync("await_startup");
            }

            await Broker.DeleteAsync(topology);
        }
    }

    private static string LogPath(ResultStore store, Process worker) => Path.Combine(Path.GetDirectoryName(store.Directory)!, $"worker-{worker.Id}.err");

    private static Process StartWorker(RabbitMqTopology topology, ResultStore store, int index, int generation)
    {
        // The test host runs under the dotnet host; start this same assembly with it as a worker.
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = false, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["SLUICE_RABBITMQ_URI"] = Broker.Uri.ToString();
        string[] arguments =
        [
            typeof(Program).Assembly.Location, "worker", topology.Name, topology.Partitions.ToString(CultureInfo.InvariantCulture), store.Directory,
            $"worker{index}-{generation}", $"{2 * index},{(2 * index) + 1}", "0.02",
        ];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        var log = File.CreateText(LogPath(store, process));
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (log)
                {
                    log.WriteLine(line);
                    log.Flush();
                }
            }
        };
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForAsync(Func<bool> condition, Process?[] workers, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            foreach (var worker in workers)
            {
                if (worker is { HasExited: true })
                {
                    Assert.Fail($"worker {worker.Id} exited with {worker.ExitCode}");
                }
            }

            Assert.True(clock.Elapsed < timeout, $"the condition did not hold within {timeout}");
            await Task.Delay(200);
        }
    }
}
