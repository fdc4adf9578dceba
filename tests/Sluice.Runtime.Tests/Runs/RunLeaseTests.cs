using Microsoft.Extensions.Logging;
using System.Diagnostics;
using System.Globalization;
using Sluice.Runtime.Tests.CrashRecovery;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Runs;

public class RunLeaseTests : IDisposable
{
    private const int Count = 200;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private Process StartSlowRun(int delayMilliseconds)
        => Process.Start(CrashRecoveryTests.ChildStartInfo("slow-run", _temp.Path, Count.ToString(CultureInfo.InvariantCulture), delayMilliseconds.ToString(CultureInfo.InvariantCulture)))!;

    private async Task WaitForProgressAsync(Process child, int processed)
    {
        var deadline = Stopwatch.StartNew();
        while (Processed().Length < processed)
        {
            if (child.HasExited)
            {
                Assert.Fail($"the child exited ({child.ExitCode}) early: {await child.StandardError.ReadToEndAsync()}");
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                child.Kill();
                Assert.Fail("the child made no progress: " + await child.StandardError.ReadToEndAsync());
            }

            await Task.Delay(10);
        }
    }

    private int[] Processed()
    {
        var path = SlowRun.ProcessedLog(_temp.Path);
        return File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray()
            : [];
    }

    [Fact]
    public async Task A_second_process_running_the_same_instance_fails_fast_naming_the_holder_and_nothing_is_processed_twice()
    {
        using var first = StartSlowRun(delayMilliseconds: 10);
        var firstOutput = first.StandardOutput.ReadToEndAsync();
        await WaitForProgressAsync(first, 10);

        using (var second = StartSlowRun(delayMilliseconds: 0))
        {
            var errors = second.StandardError.ReadToEndAsync();
            var started = Stopwatch.StartNew();
            await second.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(3, second.ExitCode);
            var message = await errors;
            Assert.Contains($"'{SlowRun.Name}@{SlowRun.Input}'", message, StringComparison.Ordinal);
            Assert.Contains($"pid {first.Id}", message, StringComparison.Ordinal);
            Assert.False(first.HasExited, "the second run must fail while the first still runs");
        }

        await first.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(Enumerable.Range(0, Count), Processed().Order());

        using var store = new FileCheckpointStore(SlowRun.StoreDirectory(_temp.Path));
        var runs = await store.ListRunsAsync().ToListAsync();
        var run = Assert.Single(runs);
        Assert.Equal(await firstOutput, run.RunId);
        Assert.Equal(PipelineRunStatus.Completed, run.Status);
        Assert.Null(await store.GetLeaseAsync($"{SlowRun.Name}@{SlowRun.Input}"));
    }

    [Fact]
    public async Task A_killed_holder_does_not_block_the_next_run_which_resumes_and_marks_the_dead_run_failed()
    {
        using (var first = StartSlowRun(delayMilliseconds: 10))
        {
            await WaitForProgressAsync(first, 40);
            first.Kill();
            await first.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        using var store = new FileCheckpointStore(SlowRun.StoreDirectory(_temp.Path));
        var instance = $"{SlowRun.Name}@{SlowRun.Input}";
        var crashed = Assert.Single(await store.ListRunsAsync(instance).ToListAsync());
        Assert.Equal(PipelineRunStatus.Running, crashed.Status);
        Assert.NotNull(await store.GetLeaseAsync(instance));

        // The lease of the killed process has not expired, but its process is gone: the next run takes over at once.
        using (var second = StartSlowRun(delayMilliseconds: 0))
        {
            var errors = second.StandardError.ReadToEndAsync();
            await second.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(second.ExitCode == 0, await errors);
        }

        Assert.Equal(Enumerable.Range(0, Count), Processed().Distinct().Order());
        var runs = await store.ListRunsAsync(instance).ToListAsync();
        Assert.Equal(2, runs.Count);
        Assert.Equal(PipelineRunStatus.Completed, runs[0].Status);
        Assert.True(runs[0].StartCheckpoint > 0, "the second run resumed after the first one's checkpoint");
        Assert.Equal(runs[0].StartCheckpoint, runs[0].Skipped);
        Assert.Equal(PipelineRunStatus.Failed, runs[1].Status);
        Assert.Equal(crashed.RunId, runs[1].RunId);
        Assert.Contains("crashed or was killed", runs[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_live_lease_refuses_a_run_until_it_expires_and_a_waiting_run_gets_it_after_expiry()
    {
        using var store = new FileCheckpointStore(_temp.Path);
        var held = await store.AcquireLeaseAsync("hung", "a hung job on this host", TimeSpan.FromSeconds(1));
        var handled = 0;
        Task<PipelineReport> RunAsync(TimeSpan wait) => SluicePipeline.From(Enumerable.Range(0, 5))
            .WithName("hung")
            .WithCheckpoints(store)
            .WithLease(TimeSpan.FromSeconds(5), wait)
            .RunAsync((_, _) => { Interlocked.Increment(ref handled); return ValueTask.CompletedTask; });

        var busy = await Assert.ThrowsAsync<PipelineInstanceBusyException>(() => RunAsync(TimeSpan.Zero));
        Assert.Contains("a hung job on this host", busy.Message, StringComparison.Ordinal);
        Assert.Equal(held.Token, busy.Current!.Token);
        Assert.Equal(0, handled);

        var report = await RunAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(5, report.Succeeded);
        Assert.Null(await store.GetLeaseAsync("hung"));

        // The old holder's lease is gone: it can neither renew nor release another run's lease.
        var next = await store.AcquireLeaseAsync("hung", "next", TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<PipelineInstanceBusyException>(async () => await store.RenewLeaseAsync(held, TimeSpan.FromSeconds(5)));
        await store.ReleaseLeaseAsync(held);
        Assert.Equal(next.Token, (await store.GetLeaseAsync("hung"))!.Token);
        await Assert.ThrowsAsync<PipelineInstanceBusyException>(async () => await store.ResetAsync("hung", SluicePipeline.CheckpointPartition));
    }

    [Fact]
    public async Task A_lease_that_cannot_be_given_back_leaves_the_run_completed_and_logs_that_it_expires_on_its_own()
    {
        using var files = new FileCheckpointStore(_temp.Path);
        var store = new ScriptedLeaseStore(files) { BeforeRelease = () => Task.FromException(new IOException("connection to the store dropped")) };
        var logger = new CapturingLogger();

        var report = await SluicePipeline.From(Enumerable.Range(0, 6)).WithName("nightly").ForInput("a")
            .WithCheckpoints(store).WithLogger(logger)
            .RunAsync((_, _) => ValueTask.CompletedTask);

        Assert.Equal((6L, 6L), (report.Succeeded, report.Checkpoint!.Value));
        Assert.Equal(1, store.Releases);
        var warning = Assert.Single(logger.Entries, e => e.Event.Id == 1012);
        Assert.Equal(("LeaseReleaseFailed", LogLevel.Warning), (warning.Event.Name, warning.Level));
        Assert.IsType<IOException>(warning.Exception);
        Assert.Contains("expires", warning.Message, StringComparison.Ordinal);
    }
}
