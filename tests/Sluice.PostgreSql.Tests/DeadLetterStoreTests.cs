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

    private static DeadLetter Failed(string? id, long position)
        => new() { Id = id, Pipeline = "p", Position = position, Payload = $"{{\"Id\":{position}}}", ErrorType = "E", ErrorMessage = "m", Attempts = 1 };

    [SkippableFact]
    public async Task A_write_rides_out_a_pooled_connection_the_server_terminated_and_stores_each_dead_letter_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        await PostgresSchema.EnsureAsync(db.DataSource, db.Tables());
        var application = "sluice-dl-dropped-" + Guid.NewGuid().ToString("N")[..8];
        await using var dropped = Npgsql.NpgsqlDataSource.Create(new Npgsql.NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString) { ApplicationName = application }.ConnectionString);
        var sink = new PostgresDeadLetterSink(dropped, db.Tables());
        await sink.WriteAsync([Failed("warm", 0)]); // a pooled connection to begin with

        // Before each write the server ends the session of every idle connection in the sink's pool, as a failover does.
        var terminated = 0L;
        for (var round = 1; round <= 5; round++)
        {
            terminated += await db.ScalarAsync<long>($"SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{application}') AS killed");
            await sink.WriteAsync([Failed($"r{round}", round), Failed(null, 100 + round)]);
        }

        Assert.True(terminated >= 5, $"only {terminated} pooled connections were terminated");
        var positions = await sink.ReadAsync("p").Select(d => d.Position!.Value).ToListAsync();
        Assert.Equal([0L, 1, 2, 3, 4, 5, 101, 102, 103, 104, 105], positions);
    }

    [SkippableFact]
    public async Task A_write_whose_session_ends_during_its_commit_is_made_again_and_stores_each_dead_letter_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tables = db.Tables();
        var sink = new PostgresDeadLetterSink(db.DataSource, tables);
        await sink.EnsureSchemaAsync();

        // A deferred trigger runs at COMMIT: the first time, it ends its own session there, before the commit is made.
        await db.ExecuteAsync($$"""
            CREATE SEQUENCE "{{db.Schema}}".fired;
            CREATE FUNCTION "{{db.Schema}}".end_first_commit() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
                IF nextval('"{{db.Schema}}".fired') = 1 THEN
                    PERFORM pg_terminate_backend(pg_backend_pid());
                    PERFORM pg_sleep(10);
                END IF;
                RETURN NULL;
            END $f$;
            CREATE CONSTRAINT TRIGGER end_first_commit AFTER INSERT OR UPDATE ON "{{db.Schema}}"."{{tables.DeadLetters}}"
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "{{db.Schema}}".end_first_commit();
            """);

        await sink.WriteAsync([Failed("a", 1), Failed(null, 2), Failed("c", 3)]);

        // The first attempt fired the trigger once and was rolled back; the second fired it for each of its three rows.
        Assert.Equal(4L, await db.ScalarAsync<long>($"SELECT last_value FROM \"{db.Schema}\".fired"));
        var stored = await sink.ReadAsync("p").ToListAsync();
        Assert.Equal([1L, 2, 3], stored.Select(d => d.Position!.Value));
        Assert.Equal(3, stored.Select(d => d.Id).Distinct().Count());
    }

    [SkippableFact]
    public async Task A_write_failing_on_a_statement_error_stores_none_of_its_dead_letters()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tables = db.Tables();
        var sink = new PostgresDeadLetterSink(db.DataSource, tables);
        await sink.EnsureSchemaAsync();

        // attempts >= 1 is a CHECK: an error of the statement, not of the connection, fails the call; its one transaction keeps none of it.
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(async () => await sink.WriteAsync([Failed("ok", 1), Failed("bad", 2) with { Attempts = 0 }]));
        Assert.Equal("23514", error.SqlState); // check_violation
        Assert.Empty(await sink.ReadAsync("p").ToListAsync());
    }
}
