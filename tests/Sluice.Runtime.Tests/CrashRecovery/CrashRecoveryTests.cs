using System.Diagnostics;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.CrashRecovery;

public class CrashRecoveryTests : IDisposable
{
    private const int RecordCount = 1500;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    internal static ProcessStartInfo ChildStartInfo(params string[] arguments)
    {
        // The test host runs under the dotnet host; start this same assembly with it. A self-contained build (the net8.0
        // one) is run by the host on the runtime bundled beside it, like the test host itself.
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    [Fact]
    public async Task Idempotency_keys_are_the_same_in_another_process()
    {
        using var child = Process.Start(ChildStartInfo("idempotency-key", "orders", "order-42"))!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, child.ExitCode);
        Assert.Equal(IdempotencyKey.For("orders", "order-42"), output);
    }

    [Fact]
    public async Task A_pipeline_killed_mid_run_and_restarted_loses_nothing_and_duplicates_nothing()
    {
        var root = _temp.Path;
        var sinkDirectory = CrashPipeline.SinkDirectory(root);

        // First run: SIGKILL once a fifth of the records are stored.
        using (var first = Process.Start(ChildStartInfo("crash-pipeline", root, RecordCount.ToString(System.Globalization.CultureInfo.InvariantCulture)))!)
        {
            var deadline = Stopwatch.StartNew();
            while (StoredCount(sinkDirectory) < RecordCount / 5 && !first.HasExited)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    first.Kill();
                    Assert.Fail("the child made no progress: " + await first.StandardError.ReadToEndAsync());
                }

                await Task.Delay(5);
            }

            if (first.HasExited)
            {
                Assert.Fail($"the child exited ({first.ExitCode}) before it could be killed: {await first.StandardError.ReadToEndAsync()}");
            }

            first.Kill(); // SIGKILL on Unix, TerminateProcess on Windows: no cleanup runs.
            await first.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        var storedAtKill = StoredCount(sinkDirectory);
        Assert.InRange(storedAtKill, RecordCount / 5, RecordCount - 1);

        // Second run: resumes after the checkpoint and finishes.
        using (var second = Process.Start(ChildStartInfo("crash-pipeline", root, RecordCount.ToString(System.Globalization.CultureInfo.InvariantCulture)))!)
        {
            var errors = second.StandardError.ReadToEndAsync();
            await second.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(second.ExitCode == 0, await errors);
        }

        var good = Enumerable.Range(0, RecordCount).Where(id => !CrashPipeline.IsPoison(id)).ToArray();
        var poison = Enumerable.Range(0, RecordCount).Where(CrashPipeline.IsPoison).ToArray();

        // The idempotent sink holds every good record exactly once and no poison record.
        Assert.Equal(good, Directory.GetFiles(sinkDirectory).Select(f => int.Parse(Path.GetFileName(f), System.Globalization.CultureInfo.InvariantCulture)).Order());

        // The dead-letter file holds exactly the poison records. A poison record dead-lettered after the last checkpoint
        // before the kill is dead-lettered again on restart (the file is append-only), with the same id: deduplicated
        // by id, each poison record appears exactly once.
        var deadLetters = await global::Sluice.DeadLetters.ReadAllAsync(CrashPipeline.DeadLetterPath(root)).ToListAsync();
        var distinct = deadLetters.DistinctBy(d => d.Id).ToList();
        Assert.Equal(poison, distinct.Select(d => (int)d.Position!.Value).Order());
        Assert.Equal(distinct.Count, deadLetters.DistinctBy(d => d.Position).Count());
        Assert.All(deadLetters, d => Assert.Equal(d.Position!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), d.Payload));
        Assert.All(deadLetters, d => Assert.Equal(typeof(InvalidDataException).FullName, d.ErrorType));

        // The whole source is checkpointed, and the restart really did replay from a checkpoint rather than from scratch.
        using var store = new FileCheckpointStore(CrashPipeline.CheckpointDirectory(root));
        Assert.Equal(RecordCount, await store.LoadAsync(CrashPipeline.Name, SluicePipeline.CheckpointPartition));
        var writes = File.ReadAllLines(CrashPipeline.WriteLogPath(root));
        Assert.InRange(writes.Length, good.Length, good.Length + storedAtKill);
    }

    private static int StoredCount(string directory) => Directory.Exists(directory) ? Directory.GetFiles(directory).Length : 0;
}
