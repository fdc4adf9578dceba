using System.Diagnostics;
using System.Globalization;
using Sluice.PostgreSql.Tests.Support;

namespace Sluice.PostgreSql.Tests.CrashRecovery;

public class CrashRecoveryTests
{
    private const int RecordCount = 600;

    private static Process StartChild(string schema) => StartChild("tx-pipeline", schema, RecordCount);

    /// <summary>Starts this assembly as a child process running one of <see cref="Program"/>'s pipelines.</summary>
    internal static Process StartChild(string mode, string schema, int count)
    {
        // The test host runs under the dotnet host; start this same assembly with it.
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        info.ArgumentList.Add(mode);
        info.ArgumentList.Add(schema);
        info.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
        info.Environment[PostgresServer.ConnectionVariable] = PostgresServer.ConnectionString;
        return Process.Start(info)!;
    }

    [SkippableTheory]
    [InlineData(11)]
    public async Task SIGKILLed_at_random_points_and_rerun_a_non_idempotent_sink_ends_with_no_duplicate_and_no_loss(int seed)
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(PlainInsertWriter.CreateTable(db.Schema));
        await PostgresSchema.EnsureAsync(db.DataSource, CrashPipeline.Tables(db.Schema));
        var random = new Random(seed);
        var kills = 0;

        // Three runs killed at random progress (each past the previous one), then one run left to finish.
        for (var round = 1; round <= 3; round++)
        {
            var target = RecordCount * round / 4 + random.Next(RecordCount / 8);
            using var child = StartChild(db.Schema);
            var errors = child.StandardError.ReadToEndAsync();
            var deadline = Stopwatch.StartNew();
            while (!child.HasExited && await ProgressAsync(db) < target)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the child made no progress");
                await Task.Delay(random.Next(1, 15));
            }

            if (!child.HasExited)
            {
                child.Kill(); // SIGKILL: no cleanup, no rollback by the client; the server aborts the open transaction.
                kills++;
            }

            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(child.HasExited, await errors);
        }

        using (var last = StartChild(db.Schema))
        {
            var errors = last.StandardError.ReadToEndAsync();
            await last.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
            Assert.True(last.ExitCode == 0, await errors);
        }

        Assert.True(kills >= 2, $"only {kills} of the runs could be killed before they finished");
        var good = Enumerable.Range(0, RecordCount).Where(id => !CrashPipeline.IsPoison(id));
        var poison = Enumerable.Range(0, RecordCount).Where(CrashPipeline.IsPoison).Select(id => (long)id);
        Assert.Equal(good, await Outcome.StoredIdsAsync(db.DataSource, db.Schema)); // every row once: no duplicate, no loss
        var deadLetters = await new PostgresDeadLetterSink(db.DataSource, CrashPipeline.Tables(db.Schema)).ReadAsync(CrashPipeline.Name).ToListAsync();
        Assert.Equal(poison, deadLetters.Select(d => d.Position!.Value));
        var store = new PostgresCheckpointStore(db.DataSource, CrashPipeline.Tables(db.Schema));
        Assert.Equal((long)RecordCount, await store.LoadAsync(CrashPipeline.Name, SluicePipeline.CheckpointPartition));

        // Every run is recorded: the killed ones, marked failed by the run that took over after their lease expired, then the last.
        var runs = await store.ListRunsAsync(CrashPipeline.Name).ToListAsync();
        Assert.Equal(kills + 1, runs.Count);
        Assert.Equal((PipelineRunStatus.Completed, (long)RecordCount), (runs[0].Status, runs[0].Checkpoint));
        Assert.All(runs.Skip(1), r => Assert.Equal(PipelineRunStatus.Failed, r.Status));
        Assert.All(runs.Skip(1), r => Assert.Contains("stopped without recording its end", r.Error, StringComparison.Ordinal));
        Assert.Null(await store.GetLeaseAsync(CrashPipeline.Name));
    }

    private static async Task<long> ProgressAsync(TestDatabase db)
        => await db.ScalarAsync<long?>($"SELECT position FROM \"{db.Schema}\".sluice_checkpoints WHERE pipeline = '{CrashPipeline.Name}'") ?? 0;
}
