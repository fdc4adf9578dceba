using Sluice.PostgreSql.Tests.Support;

namespace Sluice.PostgreSql.Tests;

public class ConnectionDropTests
{
    [SkippableFact]
    public async Task Backends_terminated_mid_run_are_retried_as_transient_and_the_run_loses_and_repeats_nothing()
    {
        var application = "sluice-victim-" + Guid.NewGuid().ToString("N")[..8];
        await using var db = await TestDatabase.CreateAsync();
        await using var victim = Npgsql.NpgsqlDataSource.Create(new Npgsql.NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString) { ApplicationName = application }.ConnectionString);
        await db.ExecuteAsync(PlainInsertWriter.CreateTable(db.Schema));
        var sink = new PostgresTransactionalSink<Event>(victim, new PlainInsertWriter(db.Schema), db.Tables());
        await sink.EnsureSchemaAsync();
        const int count = 1500;

        // Terminates every backend of the pipeline's connections: idle pooled ones and ones in the middle of a commit alike.
        var terminated = 0;
        async Task TerminateAsync()
            => Interlocked.Add(ref terminated, (int)await db.ScalarAsync<long>($"SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{application}') AS killed"));

        // Over and over while the run goes on, at times unrelated to it (mostly during a commit, where the run spends its
        // time), up to 10 rounds so that it can finish...
        using var running = new CancellationTokenSource();
        var killer = Task.Run(async () =>
        {
            for (var round = 0; round < 10 && !running.IsCancellationRequested; round++)
            {
                await Task.Delay(100);
                await TerminateAsync();
            }
        });

        // ...and at fixed points of the run, however fast it goes on this machine (a warm process finishes it in a few
        // hundred milliseconds, before the timed rounds have done much): the pooled connection of the last commit dies.
        var killedAt = new[] { 150, 450, 750, 1050, 1350 };

        PipelineReport report;
        try
        {
            report = await SluicePipeline.From(Enumerable.Range(0, count).Select(i => new Event(i, i))).WithName("drops").WithBatchSize(10)
                .WithResilience(SluiceResilience.CreatePipeline(new SluiceResilienceOptions
                {
                    // Retries spaced a little, as in production: a pool may hand out more than one killed connection.
                    BaseDelay = TimeSpan.FromMilliseconds(20),
                    MaxDelay = TimeSpan.FromMilliseconds(200),
                    MaxRetryAttempts = 8,
                    EnableCircuitBreaker = false,
                }))
                .WithTransactionalSink(sink)
                .RunAsync(async (e, _) =>
                {
                    if (killedAt.Contains(e.Id))
                    {
                        await TerminateAsync();
                    }
                });
        }
        finally
        {
            running.Cancel();
            await killer;
        }

        Assert.Equal(Enumerable.Range(0, count), await Outcome.StoredIdsAsync(db.DataSource, db.Schema));
        Assert.Empty(await Outcome.DeadLetteredPositionsAsync(db.DataSource, db.Tables(), "drops"));
        Assert.Equal((count, count, 0), (report.Checkpoint!.Value, report.Succeeded, report.DeadLettered));

        // The run record and the lease go through the same dropped connections: retried, the run is recorded as completed
        // and its lease given back.
        var run = Assert.Single(await sink.Checkpoints.ListRunsAsync("drops").ToListAsync());
        Assert.Equal((report.RunId, PipelineRunStatus.Completed, (long)count), (run.RunId, run.Status, run.Checkpoint));
        Assert.Null(await sink.Checkpoints.GetLeaseAsync("drops"));
        Assert.True(terminated >= killedAt.Length, $"only {terminated} backends were terminated during the run");
    }
}
