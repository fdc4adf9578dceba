using System.Collections.Concurrent;
using System.Globalization;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.CrashRecovery;

/// <summary>
/// Entry point used only when the tests start this assembly as a child process (<c>dotnet Sluice.Runtime.Tests.dll mode ...</c>);
/// the test runner itself never calls it.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "idempotency-key" when args.Length == 3:
                Console.Out.Write(IdempotencyKey.For(args[1], args[2]));
                return 0;
            case "crash-pipeline" when args.Length == 3:
                await CrashPipeline.RunAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
                return 0;
            case "slow-run" when args.Length == 4:
                return await SlowRun.RunAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
            default:
                await Console.Error.WriteLineAsync("usage: idempotency-key <pipeline> <recordKey> | crash-pipeline <directory> <count> | slow-run <directory> <count> <delayMs>");
                return 2;
        }
    }
}

/// <summary>The pipeline the crash test kills and restarts: durable dead letters, checkpoints and an idempotent sink.</summary>
internal static class CrashPipeline
{
    public const string Name = "crash-test";

    public static bool IsPoison(int id) => id % 37 == 11;

    public static bool FailsOnceTransiently(int id) => id % 13 == 4;

    public static string SinkDirectory(string root) => Path.Combine(root, "sink");

    public static string DeadLetterPath(string root) => Path.Combine(root, "dead-letters.jsonl");

    public static string CheckpointDirectory(string root) => Path.Combine(root, "checkpoints");

    public static string WriteLogPath(string root) => Path.Combine(root, "writes.log");

    public static async Task RunAsync(string root, int count)
    {
        var sink = new FileIdempotentSink(SinkDirectory(root), WriteLogPath(root));
        using var deadLetters = new JsonLinesDeadLetterSink(DeadLetterPath(root));
        using var checkpoints = new FileCheckpointStore(CheckpointDirectory(root));
        var attempts = new ConcurrentDictionary<int, int>();

        await SluicePipeline.From(Enumerable.Range(0, count))
            .WithName(Name)
            .WithParallelism(4)
            .WithBatchSize(10)
            .PartitionBy(id => id % 8)
            .WithResilience(Fast.Resilience())
            .WithDeadLetters(deadLetters)
            .WithCheckpoints(checkpoints)
            .RunAsync(async (id, token) =>
            {
                var attempt = attempts.AddOrUpdate(id, 1, (_, n) => n + 1);
                if (IsPoison(id))
                {
                    throw new InvalidDataException($"record {id} is malformed");
                }

                if (FailsOnceTransiently(id) && attempt == 1)
                {
                    throw new TimeoutException($"record {id} timed out");
                }

                // Slow enough that the parent can kill the run part-way through.
                await Task.Delay(1, token);
                await sink.UpsertAsync([id], token);
            });
    }
}

/// <summary>
/// An idempotent sink that survives the process: one file per key (an upsert is an overwrite), plus an append-only
/// log of every write so the test can see that a restart replayed records.
/// </summary>
internal sealed class FileIdempotentSink(string directory, string writeLog) : IIdempotentSink<int>
{
    private readonly object _logGate = new();

    public async ValueTask UpsertAsync(IReadOnlyList<int> records, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        foreach (var id in records)
        {
            var key = id.ToString(CultureInfo.InvariantCulture);
            await File.WriteAllTextAsync(Path.Combine(directory, key), key, cancellationToken);
            lock (_logGate)
            {
                File.AppendAllText(writeLog, key + "\n");
            }
        }
    }
}

/// <summary>
/// A slow run of one pipeline instance, for the tests of overlapping and crashed runs: it logs each record it processes
/// and exits 3 when another run holds the instance, 4 when the instance already completed.
/// </summary>
internal static class SlowRun
{
    public const string Name = "overlap";
    public const string Input = "batch-1";

    public static string StoreDirectory(string root) => Path.Combine(root, "store");

    public static string ProcessedLog(string root) => Path.Combine(root, "processed.log");

    public static async Task<int> RunAsync(string root, int count, int delayMilliseconds)
    {
        using var store = new FileCheckpointStore(StoreDirectory(root));
        var gate = new object();
        try
        {
            var report = await SluicePipeline.From(Enumerable.Range(0, count))
                .WithName(Name)
                .ForInput(Input)
                .WithBatchSize(5)
                .WithCheckpoints(store)
                .WithCheckpointPacing(1, TimeSpan.Zero) // every batch: a run killed at any point has a checkpoint to resume from
                .RunAsync(async (id, token) =>
                {
                    await Task.Delay(delayMilliseconds, token);
                    lock (gate)
                    {
                        File.AppendAllText(ProcessedLog(root), id.ToString(CultureInfo.InvariantCulture) + "\n");
                    }
                });
            Console.Out.Write(report.RunId);
            return 0;
        }
        catch (PipelineInstanceBusyException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 3;
        }
        catch (PipelineInstanceCompletedException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 4;
        }
    }
}
