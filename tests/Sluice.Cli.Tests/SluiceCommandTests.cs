using System.Text.Json;

namespace Sluice.Cli.Tests;

public class SluiceCommandTests : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync();

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    private Task<SluiceProcess.Result> Sluice(params string[] arguments) => SluiceProcess.RunAsync([.. arguments, "--store", _store.StoreDirectory]);

    private async Task<List<DeadLetter>> StoredDeadLettersAsync(string? instance = null)
    {
        using var sink = new JsonLinesDeadLetterSink(_store.DeadLetterPath);
        return await sink.ReadAsync(new DeadLetterQuery { Instance = instance }).ToListAsync();
    }

    [Fact]
    public async Task Runs_list_shows_each_run_with_its_status_and_counts()
    {
        var result = await Sluice("runs", "list");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(_store.MondayRun.RunId!, result.Output, StringComparison.Ordinal);
        Assert.Contains(_store.TuesdayRun.RunId!, result.Output, StringComparison.Ordinal);
        Assert.Contains(TestStore.Tuesday, result.Output, StringComparison.Ordinal);
        Assert.Equal(2, result.Output.Split("Completed").Length - 1);
        Assert.True(result.Output.IndexOf(TestStore.Tuesday, StringComparison.Ordinal) < result.Output.IndexOf(TestStore.Monday, StringComparison.Ordinal), "newest first");

        var json = await Sluice("runs", "list", "--instance", TestStore.Tuesday, "--json");
        Assert.Equal(0, json.ExitCode);
        using var run = JsonDocument.Parse(Assert.Single(json.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal("Completed", run.RootElement.GetProperty("status").GetString());
        Assert.Equal(_store.TuesdayRun.DeadLettered, run.RootElement.GetProperty("deadLettered").GetInt64());
        Assert.Equal(30, run.RootElement.GetProperty("checkpoint").GetInt64());

        var failed = await Sluice("runs", "list", "--status", "Failed");
        Assert.Equal(0, failed.ExitCode);
        Assert.Contains("No runs match.", failed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_show_prints_the_run_and_the_commands_for_its_dead_letters()
    {
        var result = await Sluice("runs", "show", _store.TuesdayRun.RunId!);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(_store.DeadLetterPath, result.Output, StringComparison.Ordinal);
        Assert.Contains("dead-lettered 7", result.Output, StringComparison.Ordinal);
        Assert.Contains($"sluice dead-letters list --instance {TestStore.Tuesday}", result.Output, StringComparison.Ordinal);
        Assert.Contains($"sluice checkpoints reset --instance {TestStore.Tuesday}", result.Output, StringComparison.Ordinal);

        var missing = await Sluice("runs", "show", "20260101T000000000Z-deadbeef");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("error: no run '20260101T000000000Z-deadbeef'", missing.Error, StringComparison.Ordinal);
        Assert.Contains("next: List the runs with: sluice runs list", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_store_the_error_says_how_to_give_one()
    {
        var none = await SluiceProcess.RunAsync("runs", "list");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("--store <directory>", none.Error, StringComparison.Ordinal);
        Assert.Contains("SLUICE_STORE", none.Error, StringComparison.Ordinal);

        var wrong = await SluiceProcess.RunAsync("checkpoints", "show", "--store", Path.Combine(_store.Root, "nope"));
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("no Sluice store at", wrong.Error, StringComparison.Ordinal);

        var badTime = await Sluice("dead-letters", "list", "--since", "yesterday-ish");
        Assert.Equal(1, badTime.ExitCode);
        Assert.Contains("--since 'yesterday-ish' is not a time", badTime.Error, StringComparison.Ordinal);
        Assert.Contains("next: Use an ISO date or time", badTime.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dead_letters_list_filters_by_instance_error_type_and_time()
    {
        var tuesday = await Sluice("dead-letters", "list", "--instance", TestStore.Tuesday);
        Assert.Equal(0, tuesday.ExitCode);
        Assert.Contains("7 dead letter(s).", tuesday.Output, StringComparison.Ordinal);
        Assert.Contains("order 28 has no customer", tuesday.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(TestStore.Monday, tuesday.Output, StringComparison.Ordinal);

        var format = await Sluice("dead-letters", "list", "--error-type", "FormatException", "--since", "today");
        Assert.Equal(0, format.ExitCode);
        Assert.Contains("6 dead letter(s).", format.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("TimeoutException", format.Output, StringComparison.Ordinal);

        var future = await Sluice("dead-letters", "list", "--since", DateTimeOffset.UtcNow.AddDays(1).ToString("O"));
        Assert.Contains("No dead letters match.", future.Output, StringComparison.Ordinal);

        var json = await Sluice("dead-letters", "list", "--instance", TestStore.Monday, "--error-type", "TimeoutException", "--json");
        var lines = json.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([10, 20], lines.Select(l => l.GetProperty("payload").GetProperty("Id").GetInt32()));
        Assert.All(lines, l => Assert.Equal(TestStore.Monday, l.GetProperty("instance").GetString()));
    }

    [Fact]
    public async Task Dead_letters_show_pretty_prints_the_payload_and_the_error()
    {
        var letter = (await StoredDeadLettersAsync(TestStore.Tuesday)).Single(d => d.ErrorMessage == "order 14 has no customer");
        var result = await Sluice("dead-letters", "show", letter.Id![..10]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(letter.Id, result.Output, StringComparison.Ordinal);
        Assert.Contains("System.FormatException: order 14 has no customer", result.Output, StringComparison.Ordinal);
        Assert.Contains("\"Customer\": \"\"", result.Output, StringComparison.Ordinal);
        Assert.Contains("\n  \"Id\": 14,", result.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Stack trace", result.Output, StringComparison.Ordinal);

        var unknown = await Sluice("dead-letters", "show", "zzzz");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("next: List them with: sluice dead-letters list", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dead_letters_export_writes_json_lines_that_read_back_as_dead_letters()
    {
        var file = Path.Combine(_store.Root, "export.jsonl");
        var result = await Sluice("dead-letters", "export", "--instance", TestStore.Tuesday, "-o", file);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("exported 7 dead letter(s) to " + file, result.Error, StringComparison.Ordinal);

        var exported = await global::Sluice.DeadLetters.ReadAsync(file).ToListAsync();
        Assert.Equal((await StoredDeadLettersAsync(TestStore.Tuesday)).Select(d => (d.Id, d.Payload, d.ErrorType)), exported.Select(d => (d.Id, d.Payload, d.ErrorType)));
        Assert.Equal(new Order(7, "", 10.5m), exported[0].PayloadAs<Order>());
    }

    [Fact]
    public async Task Dead_letters_purge_is_a_dry_run_unless_yes_is_given_and_deletes_only_what_matches()
    {
        var before = await StoredDeadLettersAsync();
        Assert.Equal(_store.MondayRun.DeadLettered + _store.TuesdayRun.DeadLettered, before.Count);

        var dry = await Sluice("dead-letters", "purge", "--instance", TestStore.Monday, "--error-type", "FormatException");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("Dry run: would delete 2 dead letter(s)", dry.Output, StringComparison.Ordinal);
        Assert.Contains("Nothing was deleted", dry.Output, StringComparison.Ordinal);
        Assert.Equal(before.Count, (await StoredDeadLettersAsync()).Count);

        var everything = await Sluice("dead-letters", "purge", "--yes");
        Assert.Equal(1, everything.ExitCode);
        Assert.Contains("next: Give --instance", everything.Error, StringComparison.Ordinal);
        Assert.Equal(before.Count, (await StoredDeadLettersAsync()).Count);

        var done = await Sluice("dead-letters", "purge", "--instance", TestStore.Monday, "--error-type", "FormatException", "--yes");
        Assert.Equal(0, done.ExitCode);
        Assert.Contains("Deleted 2 dead letter(s).", done.Output, StringComparison.Ordinal);
        var after = await StoredDeadLettersAsync();
        Assert.Equal(before.Count - 2, after.Count);
        Assert.DoesNotContain(after, d => d.Instance == TestStore.Monday && d.ErrorType == typeof(FormatException).FullName);
        Assert.Equal(before.Where(d => d.Instance == TestStore.Tuesday).Select(d => d.Id), after.Where(d => d.Instance == TestStore.Tuesday).Select(d => d.Id));
    }

    [Fact]
    public async Task Checkpoints_show_and_reset_after_a_dry_run_lets_the_instance_run_again_from_the_start()
    {
        var show = await Sluice("checkpoints", "show");
        Assert.Equal(0, show.ExitCode);
        Assert.Contains(TestStore.Monday, show.Output, StringComparison.Ordinal);
        Assert.Contains(TestStore.Tuesday, show.Output, StringComparison.Ordinal);

        var dry = await Sluice("checkpoints", "reset", "--instance", TestStore.Tuesday);
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains($"Dry run: would reset the checkpoint of '{TestStore.Tuesday}' (partition source) at position 30", dry.Output, StringComparison.Ordinal);
        using (var checkpoints = new FileCheckpointStore(_store.StoreDirectory))
        {
            Assert.Equal(30, await checkpoints.LoadAsync(TestStore.Tuesday, SluicePipeline.CheckpointPartition));

            // A run holds the instance: the reset is refused with the holder named.
            var lease = await checkpoints.AcquireLeaseAsync(TestStore.Tuesday, "the nightly job on host-7", TimeSpan.FromMinutes(1));
            var busy = await Sluice("checkpoints", "reset", "--instance", TestStore.Tuesday, "--yes");
            Assert.Equal(1, busy.ExitCode);
            Assert.Contains("is being run by the nightly job on host-7", busy.Error, StringComparison.Ordinal);
            Assert.Contains("next: Wait for that run to end", busy.Error, StringComparison.Ordinal);
            await checkpoints.ReleaseLeaseAsync(lease);
        }

        var reset = await Sluice("checkpoints", "reset", "--instance", TestStore.Tuesday, "--yes");
        Assert.Equal(0, reset.ExitCode);
        Assert.Contains("was position 30", reset.Output, StringComparison.Ordinal);

        // The completed instance now runs again, in full, instead of being refused.
        using (var checkpoints = new FileCheckpointStore(_store.StoreDirectory))
        {
            Assert.Null(await checkpoints.LoadAsync(TestStore.Tuesday, SluicePipeline.CheckpointPartition));
            var handled = 0;
            var rerun = await SluicePipeline.From(Enumerable.Range(1, 30)).WithName("orders-import").ForInput("2026-11-30").WithCheckpoints(checkpoints)
                .RunAsync((_, _) => { Interlocked.Increment(ref handled); return ValueTask.CompletedTask; });
            Assert.Equal(30, handled);
            Assert.Equal(0, rerun.Skipped);
        }

        var again = await Sluice("checkpoints", "reset", "--instance", "orders-import@never");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("has no checkpoint", again.Error, StringComparison.Ordinal);
        Assert.Contains("next: List the checkpoints with: sluice checkpoints show", again.Error, StringComparison.Ordinal);

        var missingOption = await Sluice("checkpoints", "reset");
        Assert.NotEqual(0, missingOption.ExitCode);
    }
}
