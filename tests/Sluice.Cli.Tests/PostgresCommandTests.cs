using System.Text.Json;
using Npgsql;
using Sluice.PostgreSql;
using Sluice.PostgreSql.Tests.Support;

namespace Sluice.Cli.Tests;

/// <summary>
/// The `sluice` verbs against PostgreSQL: the stores are made by real pipeline runs on the server the PostgreSQL tests
/// use (skipped with the reason when none is reachable, never when CI=true). The connection string carries a password
/// (the test server trusts loopback, so any password is accepted), and no output may ever show it.
/// </summary>
public class PostgresCommandTests
{
    private const string Password = "pw-never-printed-41f7";
    private const string Monday = "orders-import@2026-11-29";
    private const string Tuesday = "orders-import@2026-11-30";

    private static string ConnectionString => new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString) { Password = Password }.ConnectionString;

    private sealed record Fixture(TestDatabase Db, PostgresCheckpointStore Store, PostgresDeadLetterSink DeadLetters, PipelineReport MondayRun, PipelineReport TuesdayRun) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Db.DisposeAsync();
    }

    private static async Task<Fixture> CreateAsync()
    {
        var db = await TestDatabase.CreateAsync();
        var tables = new PostgresTableNames { Schema = db.Schema };
        await PostgresSchema.EnsureAsync(db.DataSource, tables);
        var store = new PostgresCheckpointStore(db.DataSource, tables);
        var deadLetters = new PostgresDeadLetterSink(db.DataSource, tables);

        // Orders whose id is a multiple of 7 have no customer (FormatException); a multiple of 10 times out.
        Task<PipelineReport> RunDayAsync(string day, int count) => SluicePipeline.From(Enumerable.Range(1, count).Select(i => new Order(i, i % 7 == 0 ? "" : "customer-" + i, i * 1.5m)))
            .WithName("orders-import").ForInput(day).WithCheckpoints(store).WithDeadLetters(deadLetters)
            .RunAsync((order, _) => order.Customer.Length == 0
                ? throw new FormatException($"order {order.Id} has no customer")
                : order.Id % 10 == 0 ? throw new TimeoutException($"ledger timed out on order {order.Id}") : ValueTask.CompletedTask);

        var monday = await RunDayAsync("2026-11-29", 20);
        var tuesday = await RunDayAsync("2026-11-30", 30);
        return new Fixture(db, store, deadLetters, monday, tuesday);
    }

    private static async Task<SluiceProcess.Result> Sluice(Fixture fixture, params string[] arguments)
    {
        var result = await SluiceProcess.RunAsync([.. arguments, "--postgres", ConnectionString, "--postgres-schema", fixture.Db.Schema]);
        AssertNoSecret(result);
        return result;
    }

    private static void AssertNoSecret(SluiceProcess.Result result)
    {
        Assert.DoesNotContain(Password, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Runs_list_and_show_read_the_run_records_of_the_database()
    {
        await using var fixture = await CreateAsync();
        var list = await Sluice(fixture, "runs", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(fixture.MondayRun.RunId!, list.Output, StringComparison.Ordinal);
        Assert.Contains(fixture.TuesdayRun.RunId!, list.Output, StringComparison.Ordinal);
        Assert.Equal(2, list.Output.Split("Completed").Length - 1);
        Assert.True(list.Output.IndexOf(Tuesday, StringComparison.Ordinal) < list.Output.IndexOf(Monday, StringComparison.Ordinal), "newest first");

        var json = await Sluice(fixture, "runs", "list", "--instance", Tuesday, "--json");
        Assert.Equal(0, json.ExitCode);
        using (var run = JsonDocument.Parse(Assert.Single(json.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))))
        {
            Assert.Equal(fixture.TuesdayRun.RunId, run.RootElement.GetProperty("runId").GetString());
            Assert.Equal(fixture.TuesdayRun.DeadLettered, run.RootElement.GetProperty("deadLettered").GetInt64());
            Assert.Equal(30, run.RootElement.GetProperty("checkpoint").GetInt64());
        }

        // The connection string from the environment variable works the same, and the location printed has no credentials.
        var show = await SluiceProcess.RunAsync(
            new Dictionary<string, string> { ["SLUICE_POSTGRES"] = ConnectionString },
            "runs", "show", fixture.TuesdayRun.RunId!, "--postgres-schema", fixture.Db.Schema);
        AssertNoSecret(show);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("dead-lettered 7", show.Output, StringComparison.Ordinal);
        Assert.Contains(fixture.DeadLetters.Location, show.Output, StringComparison.Ordinal);
        Assert.Contains($"sluice dead-letters list --instance {Tuesday}", show.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_transactional_run_is_listed_with_its_counts_and_its_dead_letters_are_read_from_the_same_table()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tables = new PostgresTableNames { Schema = db.Schema };
        await using (var create = db.DataSource.CreateCommand($"CREATE TABLE \"{db.Schema}\".orders (id int PRIMARY KEY, customer text NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var writer = new PostgresUpsertSink<Order>(db.DataSource, new PostgresTableMap<Order>("orders", db.Schema).Key("id", o => o.Id).Column("customer", o => o.Customer));
        var sink = new PostgresTransactionalSink<Order>(db.DataSource, writer, tables);
        await sink.EnsureSchemaAsync();
        var report = await SluicePipeline.From(Enumerable.Range(1, 25).Select(i => new Order(i, i % 6 == 0 ? "" : "customer-" + i, i)))
            .WithName("orders-sync").ForInput("2026-11-30").WithBatchSize(10).WithTransactionalSink(sink)
            .RunAsync((order, _) => order.Customer.Length == 0 ? throw new FormatException($"order {order.Id} has no customer") : ValueTask.CompletedTask);

        var json = await SluiceProcess.RunAsync("runs", "list", "--json", "--postgres", ConnectionString, "--postgres-schema", db.Schema);
        AssertNoSecret(json);
        Assert.Equal(0, json.ExitCode);
        using (var run = JsonDocument.Parse(Assert.Single(json.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))))
        {
            var root = run.RootElement;
            Assert.Equal((report.RunId, "orders-sync@2026-11-30", "Completed"), (root.GetProperty("runId").GetString(), root.GetProperty("instance").GetString(), root.GetProperty("status").GetString()));
            Assert.Equal((25L, 21L, 4L), (root.GetProperty("checkpoint").GetInt64(), root.GetProperty("succeeded").GetInt64(), root.GetProperty("deadLettered").GetInt64()));
        }

        // The run names where its dead letters went: the sink's table, as the checkpoint path's runs name their dead-letter sink.
        var show = await SluiceProcess.RunAsync("runs", "show", report.RunId!, "--postgres", ConnectionString, "--postgres-schema", db.Schema);
        AssertNoSecret(show);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains(new PostgresDeadLetterSink(db.DataSource, tables).Location, show.Output, StringComparison.Ordinal);

        var letters = await SluiceProcess.RunAsync("dead-letters", "list", "--instance", "orders-sync@2026-11-30", "--json", "--postgres", ConnectionString, "--postgres-schema", db.Schema);
        Assert.Equal(0, letters.ExitCode);
        Assert.Equal(
            [5L, 11L, 17L, 23L],
            letters.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("position").GetInt64()));
    }

    [SkippableFact]
    public async Task Dead_letters_are_listed_shown_exported_and_purged_from_the_table()
    {
        await using var fixture = await CreateAsync();
        async Task<List<DeadLetter>> StoredAsync(string? instance = null) => await fixture.DeadLetters.ReadAsync(new DeadLetterQuery { Instance = instance }).ToListAsync();

        var list = await Sluice(fixture, "dead-letters", "list", "--instance", Tuesday, "--error-type", "FormatException", "--json");
        Assert.Equal(0, list.ExitCode);
        var listed = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("position").GetInt64()).ToList();
        Assert.Equal([6L, 13L, 20L, 27L], listed); // orders 7, 14, 21, 28 (positions are 0-based)

        var letter = (await StoredAsync(Tuesday)).First(d => d.Position == 6);
        var show = await Sluice(fixture, "dead-letters", "show", letter.Id![..10]);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("order 7 has no customer", show.Output, StringComparison.Ordinal);
        Assert.Contains("\"Customer\": \"\"", show.Output, StringComparison.Ordinal);
        Assert.Contains(fixture.DeadLetters.Location, show.Output, StringComparison.Ordinal);

        var file = Path.Combine(Path.GetTempPath(), "sluice-cli-pg-" + Guid.NewGuid().ToString("N") + ".jsonl");
        try
        {
            var export = await Sluice(fixture, "dead-letters", "export", "--instance", Tuesday, "-o", file);
            Assert.Equal(0, export.ExitCode);
            var exported = await global::Sluice.DeadLetters.ReadAsync(file).ToListAsync();
            Assert.Equal((await StoredAsync(Tuesday)).Select(d => (d.Id, d.ErrorType, d.RunId)), exported.Select(d => (d.Id, d.ErrorType, d.RunId)));
            Assert.Equal(new Order(7, "", 10.5m), exported[0].PayloadAs<Order>());
        }
        finally
        {
            File.Delete(file);
        }

        var before = await StoredAsync();
        var dry = await Sluice(fixture, "dead-letters", "purge", "--instance", Monday, "--error-type", "FormatException");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("Dry run: would delete 2 dead letter(s)", dry.Output, StringComparison.Ordinal);
        Assert.Equal(before.Count, (await StoredAsync()).Count);

        var done = await Sluice(fixture, "dead-letters", "purge", "--instance", Monday, "--error-type", "FormatException", "--yes");
        Assert.Equal(0, done.ExitCode);
        Assert.Contains("Deleted 2 dead letter(s).", done.Output, StringComparison.Ordinal);
        var after = await StoredAsync();
        Assert.Equal(before.Count - 2, after.Count);
        Assert.DoesNotContain(after, d => d.Instance == Monday && d.ErrorType == typeof(FormatException).FullName);
    }

    [SkippableFact]
    public async Task Dead_letters_show_a_payload_with_quotes_and_accents_as_it_was_written()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tables = new PostgresTableNames { Schema = db.Schema };
        await PostgresSchema.EnsureAsync(db.DataSource, tables);
        var deadLetters = new PostgresDeadLetterSink(db.DataSource, tables);
        const string Line = "he said \"stop\" — café <b> & 'more'";

        // A pipeline of text lines: each payload is a JSON string. Then one whose serializer writes plain text, not JSON.
        await SluicePipeline.From([Line]).WithName("lines").WithDeadLetters(deadLetters)
            .RunAsync((_, _) => throw new FormatException("unreadable line"));
        await SluicePipeline.From([Line]).WithName("raw-lines").WithDeadLetters(deadLetters, line => "line: " + line)
            .RunAsync((_, _) => throw new FormatException("unreadable line"));

        var letters = await deadLetters.ReadAsync(new DeadLetterQuery()).ToDictionaryAsync(d => d.Pipeline!, d => d.Id!);
        var json = await SluiceProcess.RunAsync("dead-letters", "show", letters["lines"], "--postgres", ConnectionString, "--postgres-schema", db.Schema);
        Assert.Equal(0, json.ExitCode);
        Assert.Contains("\"he said \\\"stop\\\" — café <b> & 'more'\"", json.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", json.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u20", json.Output, StringComparison.Ordinal);

        var text = await SluiceProcess.RunAsync("dead-letters", "show", letters["raw-lines"], "--postgres", ConnectionString, "--postgres-schema", db.Schema);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("line: " + Line, text.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Checkpoints_are_shown_and_reset_unless_a_run_holds_the_instance()
    {
        await using var fixture = await CreateAsync();
        var show = await Sluice(fixture, "checkpoints", "show");
        Assert.Equal(0, show.ExitCode);
        Assert.Contains(Monday, show.Output, StringComparison.Ordinal);
        Assert.Contains(Tuesday, show.Output, StringComparison.Ordinal);

        var lease = await fixture.Store.AcquireLeaseAsync(Tuesday, "the nightly job on host-7", TimeSpan.FromMinutes(1));
        var busy = await Sluice(fixture, "checkpoints", "reset", "--instance", Tuesday, "--yes");
        Assert.Equal(1, busy.ExitCode);
        Assert.Contains("is being run by the nightly job on host-7", busy.Error, StringComparison.Ordinal);
        Assert.Equal(30L, await fixture.Store.LoadAsync(Tuesday, SluicePipeline.CheckpointPartition));
        var held = await Sluice(fixture, "checkpoints", "show", "--instance", Tuesday);
        Assert.Contains("the nightly job on host-7", held.Output, StringComparison.Ordinal);
        await fixture.Store.ReleaseLeaseAsync(lease);

        var dry = await Sluice(fixture, "checkpoints", "reset", "--instance", Tuesday);
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("at position 30", dry.Output, StringComparison.Ordinal);
        Assert.Equal(30L, await fixture.Store.LoadAsync(Tuesday, SluicePipeline.CheckpointPartition));

        var reset = await Sluice(fixture, "checkpoints", "reset", "--instance", Tuesday, "--yes");
        Assert.Equal(0, reset.ExitCode);
        Assert.Null(await fixture.Store.LoadAsync(Tuesday, SluicePipeline.CheckpointPartition));

        // The completed instance now runs again in full instead of being refused.
        var handled = 0;
        await SluicePipeline.From(Enumerable.Range(1, 30)).WithName("orders-import").ForInput("2026-11-30").WithCheckpoints(fixture.Store)
            .RunAsync((_, _) => { Interlocked.Increment(ref handled); return ValueTask.CompletedTask; });
        Assert.Equal(30, handled);
    }

    [SkippableFact]
    public async Task A_database_a_newer_Sluice_upgraded_is_refused_with_what_to_do_about_the_database()
    {
        await using var fixture = await CreateAsync();
        var tables = new PostgresTableNames { Schema = fixture.Db.Schema };
        await fixture.Db.ExecuteAsync($"UPDATE \"{fixture.Db.Schema}\".\"{tables.SchemaVersions}\" SET version = {PostgresSchema.CurrentVersion + 1} WHERE table_name = '{tables.Runs}'");

        var list = await Sluice(fixture, "runs", "list");

        Assert.Equal(1, list.ExitCode);
        var output = list.Output + list.Error;
        Assert.Contains(tables.Runs, output, StringComparison.Ordinal);
        Assert.Contains($"{PostgresSchema.CurrentVersion + 1}", output, StringComparison.Ordinal);
        Assert.Contains("Check the database given to --postgres", output, StringComparison.Ordinal);
        Assert.DoesNotContain("--store", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Errors_say_what_to_do_and_never_print_the_connection_string_or_its_password()
    {
        await PostgresServer.RequireAsync();

        // No server on that port.
        var unreachable = new NpgsqlConnectionStringBuilder(ConnectionString) { Port = 1, Timeout = 2 }.ConnectionString;
        var down = await SluiceProcess.RunAsync("runs", "list", "--postgres", unreachable);
        AssertNoSecret(down);
        Assert.Equal(1, down.ExitCode);
        Assert.StartsWith("error: ", down.Error, StringComparison.Ordinal);
        var server = new NpgsqlConnectionStringBuilder(ConnectionString);
        Assert.Contains($"next: Check that {server.Username}@{server.Host}:1/{server.Database} is reachable", down.Error, StringComparison.Ordinal);

        // A schema without the Sluice tables.
        await using (var db = await TestDatabase.CreateAsync())
        {
            var empty = await SluiceProcess.RunAsync("checkpoints", "show", "--postgres", ConnectionString, "--postgres-schema", db.Schema);
            AssertNoSecret(empty);
            Assert.Equal(1, empty.ExitCode);
            Assert.Contains("next: The Sluice tables are not in that schema", empty.Error, StringComparison.Ordinal);
        }

        // A string that cannot be parsed is not echoed.
        var garbled = await SluiceProcess.RunAsync("runs", "list", "--postgres", $"Host=x;Password={Password};Nonsense Key=1");
        AssertNoSecret(garbled);
        Assert.Equal(1, garbled.ExitCode);
        Assert.Contains("error: the PostgreSQL connection string given by --postgres cannot be read.", garbled.Error, StringComparison.Ordinal);

        var both = await SluiceProcess.RunAsync("runs", "list", "--postgres", ConnectionString, "--store", Path.GetTempPath());
        AssertNoSecret(both);
        Assert.Equal(1, both.ExitCode);
        Assert.Contains("error: both --store and --postgres given.", both.Error, StringComparison.Ordinal);
    }
}
