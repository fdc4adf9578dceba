using System.Text.Json;
using Sluice.PostgreSql.Tests.Support;

namespace Sluice.PostgreSql.Tests;

/// <summary><see cref="PostgresDeadLetterSink"/> as an <see cref="IDeadLetterStore"/> (read, filter, purge, replay) and its NUL handling.</summary>
public class DeadLetterStoreTests
{
    private static DeadLetter Letter(string id, string pipeline, string? instance, Exception error, DateTimeOffset at, long position)
        => DeadLetter.From(new { Id = position }, error, pipeline: pipeline, position: position) with { Id = id, Instance = instance, Timestamp = at };

    [SkippableFact]
    public async Task Dead_letters_are_read_by_instance_pipeline_error_type_and_time_oldest_first_and_purged_by_id()
    {
        await using var db = await TestDatabase.CreateAsync();
        IDeadLetterStore store = new PostgresDeadLetterSink(db.DataSource, db.Tables());
        await ((PostgresDeadLetterSink)store).EnsureSchemaAsync();
        var t0 = new DateTimeOffset(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);
        await store.WriteAsync(
        [
            Letter("c", "orders", "orders@day-2", new FormatException("bad c"), t0.AddHours(2), 5),
            Letter("a", "orders", "orders@day-1", new FormatException("bad a"), t0, 9),
            Letter("b", "orders", "orders@day-1", new TimeoutException("slow b"), t0.AddHours(1), 1),
            Letter("d", "invoices", null, new FormatException("bad d"), t0.AddHours(3), 0),
        ]);

        async Task<string[]> Ids(DeadLetterQuery? query) => await store.ReadAsync(query).Select(d => d.Id!).ToArrayAsync();
        Assert.Equal(["a", "b", "c", "d"], await Ids(null));
        Assert.Equal(["a", "b"], await Ids(new DeadLetterQuery { Instance = "orders@day-1" }));
        Assert.Equal(["d"], await Ids(new DeadLetterQuery { Instance = "invoices" })); // no input identity: the pipeline is the instance
        Assert.Equal(["a", "b", "c"], await Ids(new DeadLetterQuery { Pipeline = "orders" }));
        Assert.Equal(["a", "c", "d"], await Ids(new DeadLetterQuery { ErrorType = "FormatException" }));
        Assert.Equal(["b"], await Ids(new DeadLetterQuery { ErrorType = "System.TimeoutException" }));
        Assert.Empty(await Ids(new DeadLetterQuery { ErrorType = "Exception" })); // a short name matches a whole segment only
        Assert.Equal(["b", "c"], await Ids(new DeadLetterQuery { Since = t0.AddHours(1), Until = t0.AddHours(3) }));

        // The same filter as the file store's, row for row.
        var all = await store.ReadAsync().ToListAsync();
        var query = new DeadLetterQuery { Pipeline = "orders", ErrorType = "FormatException", Since = t0.AddMinutes(1) };
        Assert.Equal(all.Where(query.Matches).Select(d => d.Id), await Ids(query));

        Assert.Equal(2, await store.DeleteAsync(["a", "d", "missing"]));
        Assert.Equal(["b", "c"], await Ids(null));
        Assert.Equal(0, await store.DeleteAsync([]));
    }

    [SkippableFact]
    public async Task A_dead_letter_written_again_with_the_same_id_is_kept_once_as_last_written()
    {
        await using var db = await TestDatabase.CreateAsync();
        var store = new PostgresDeadLetterSink(db.DataSource, db.Tables());
        await store.EnsureSchemaAsync();
        var first = DeadLetter.From(5, new FormatException("first try"), attempts: 1, pipeline: "p", position: 5) with { RunId = "run-1", Instance = "p" };
        var again = DeadLetter.From(5, new TimeoutException("after the restart"), attempts: 3, pipeline: "p", position: 5) with { RunId = "run-2", Instance = "p" };
        Assert.Equal(first.Id, again.Id);

        await store.WriteAsync([first]);
        await store.WriteAsync([again]);

        var kept = Assert.Single(await store.ReadAsync(new DeadLetterQuery()).ToListAsync());
        Assert.Equal(("run-2", 3, "after the restart", typeof(TimeoutException).FullName), (kept.RunId, kept.Attempts, kept.ErrorMessage, kept.ErrorType));
    }

    [SkippableFact]
    public async Task Replay_removes_the_dead_letters_that_now_succeed_and_keeps_the_others()
    {
        await using var db = await TestDatabase.CreateAsync();
        var store = new PostgresDeadLetterSink(db.DataSource, db.Tables());
        await store.EnsureSchemaAsync();
        await SluicePipeline.From(Enumerable.Range(0, 20)).WithName("import").WithDeadLetters(store)
            .RunAsync((id, _) => id % 5 == 0 ? throw new FormatException($"bad {id}") : ValueTask.CompletedTask);
        Assert.Equal(4, await store.ReadAsync(new DeadLetterQuery { Instance = "import" }).CountAsync());

        // After a fix, all but record 10 go through.
        var replayed = new List<int>();
        await DeadLetterReplay.ReplayAsync(store, new DeadLetterQuery { Instance = "import" }, (letter, _) =>
        {
            var id = letter.PayloadAs<int>();
            replayed.Add(id);
            return id == 10 ? throw new FormatException("still bad") : ValueTask.CompletedTask;
        });

        Assert.Equal([0, 5, 10, 15], replayed.Order());
        Assert.Equal([10L], await store.ReadAsync(new DeadLetterQuery { Instance = "import" }).Select(d => d.Position!.Value).ToListAsync());
    }

    [Fact]
    public async Task The_location_names_the_database_and_table_but_never_the_password()
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create("Host=db.internal;Port=6543;Database=etl;Username=ops;Password=s3cret-pw");
        var store = new PostgresDeadLetterSink(dataSource, new PostgresTableNames { Schema = "ops", DeadLetters = "failed" });
        Assert.Equal("postgresql://db.internal:6543/etl \"ops\".\"failed\"", store.Location);
        Assert.DoesNotContain("s3cret", store.Location, StringComparison.Ordinal);
        Assert.DoesNotContain("ops@", store.Location, StringComparison.Ordinal);
    }

    internal sealed record Note(int Id, string Text);

    [SkippableFact]
    public async Task A_record_whose_json_holds_a_nul_is_dead_lettered_readable_and_read_back_exactly_without_failing_the_run()
    {
        await using var db = await TestDatabase.CreateAsync();
        var store = new PostgresDeadLetterSink(db.DataSource, db.Tables());
        await store.EnsureSchemaAsync();
        var records = new[] { new Note(1, "fine"), new Note(2, "nul\0inside"), new Note(3, "also fine") };

        var report = await SluicePipeline.From(records).WithName("notes").WithDeadLetters(store)
            .RunAsync((note, _) => note.Id >= 2 ? throw new FormatException($"cannot parse \0 in note {note.Id}") : ValueTask.CompletedTask);

        Assert.Equal((1L, 2L), (report.Succeeded, report.DeadLettered));
        var letters = await store.ReadAsync("notes").ToListAsync();
        Assert.Equal([1L, 2L], letters.Select(d => d.Position!.Value));
        var withNul = letters[0];
        Assert.Contains("\\u0000", withNul.Payload, StringComparison.Ordinal);
        Assert.Equal(new Note(2, "nul\0inside"), JsonSerializer.Deserialize<Note>(withNul.Payload)); // exactly as serialized
        Assert.Equal("cannot parse \uFFFD in note 2", withNul.ErrorMessage); // text cannot hold NUL: replaced, readable
        Assert.Equal(new Note(3, "also fine"), JsonSerializer.Deserialize<Note>(letters[1].Payload));

        // Stored flagged, as a JSON string holding the JSON text; the record without NUL stays plain jsonb.
        Assert.Equal("string", await db.ScalarAsync<string>($"SELECT jsonb_typeof(payload) FROM \"{db.Schema}\".sluice_dead_letters WHERE payload_escaped"));
        Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM \"{db.Schema}\".sluice_dead_letters WHERE payload_escaped"));
        Assert.Equal("also fine", await db.ScalarAsync<string>($"SELECT payload->>'Text' FROM \"{db.Schema}\".sluice_dead_letters WHERE NOT payload_escaped"));
    }

    [SkippableFact]
    public async Task Text_that_is_not_json_and_holds_a_nul_is_stored_and_a_context_value_with_nul_is_kept_readable()
    {
        await using var db = await TestDatabase.CreateAsync();
        var store = new PostgresDeadLetterSink(db.DataSource, db.Tables());
        await store.EnsureSchemaAsync();
        await store.WriteAsync(
        [
            new DeadLetter
            {
                Id = "raw", Pipeline = "p", Payload = "a\0b <not json>", ErrorType = "E", ErrorMessage = "m", Key = "k\0",
                Context = new Dictionary<string, string> { ["from"] = "x\0y" },
            },
            new DeadLetter { Id = "escape", Pipeline = "p", Payload = "{\"path\":\"C:\\\\u0000\"}", ErrorType = "E", ErrorMessage = "m" },
            new DeadLetter { Id = "quoted", Pipeline = "p", Payload = "id=7; note=\"late\"", ErrorType = "E", ErrorMessage = "m" },
        ]);

        var letters = await store.ReadAsync(new DeadLetterQuery()).ToDictionaryAsync(d => d.Id!);
        Assert.Equal("a\0b <not json>", JsonSerializer.Deserialize<string>(letters["raw"].Payload)); // text with a NUL: a JSON string of it
        Assert.Equal(("k\uFFFD", "x\uFFFDy"), (letters["raw"].Key, letters["raw"].Context!["from"]));
        Assert.Equal("id=7; note=\"late\"", letters["quoted"].Payload); // not a JSON string of the text: the text itself

        // An escaped backslash followed by "u0000" is no NUL: plain jsonb, queryable.
        Assert.Equal("{\"path\":\"C:\\\\u0000\"}", letters["escape"].Payload.Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal("C:\\u0000", await db.ScalarAsync<string>($"SELECT payload->>'path' FROM \"{db.Schema}\".sluice_dead_letters WHERE id = 'escape' AND NOT payload_escaped"));
    }
}
