using Sluice.PostgreSql.Tests.Support;

namespace Sluice.PostgreSql.Tests;

public class StoreTests
{
    [SkippableFact]
    public async Task Checkpoints_start_empty_then_hold_the_last_commit_per_pipeline_and_partition()
    {
        await using var db = await TestDatabase.CreateAsync();
        var store = new PostgresCheckpointStore(db.DataSource, db.Tables());
        await store.EnsureSchemaAsync();

        Assert.Null(await store.LoadAsync("orders", "source"));
        await store.CommitAsync("orders", "source", 10);
        await store.CommitAsync("orders", "source", 250);
        await store.CommitAsync("orders", "other", 7);
        await store.CommitAsync("invoices", "source", 0);

        Assert.Equal(250L, await store.LoadAsync("orders", "source"));
        Assert.Equal(7L, await store.LoadAsync("orders", "other"));
        Assert.Equal(0L, await store.LoadAsync("invoices", "source"));
        Assert.Null(await store.LoadAsync("Orders", "source"));

        // A second store over the same table (another host) sees the same progress.
        Assert.Equal(250L, await new PostgresCheckpointStore(db.DataSource, db.Tables()).LoadAsync("orders", "source"));
    }

    [SkippableFact]
    public async Task Advancing_a_checkpoint_only_moves_it_from_the_expected_position()
    {
        await using var db = await TestDatabase.CreateAsync();
        var store = new PostgresCheckpointStore(db.DataSource, db.Tables());
        await store.EnsureSchemaAsync();
        await using var connection = await db.DataSource.OpenConnectionAsync();

        async Task<bool> Advance(long from, long to)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var moved = await store.TryAdvanceAsync("p", "source", from, to, connection, transaction, default);
            await transaction.CommitAsync();
            return moved;
        }

        Assert.True(await Advance(0, 100));    // no row yet: created
        Assert.True(await Advance(100, 200));
        Assert.False(await Advance(100, 300)); // someone else already moved it past 100
        Assert.Equal(200L, await store.LoadAsync("p", "source"));
    }

    [Fact]
    public async Task Store_arguments_are_checked_and_named()
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1");
        var store = new PostgresCheckpointStore(dataSource);
        Assert.Equal("pipeline", (await Assert.ThrowsAsync<ArgumentException>(async () => await store.LoadAsync(" ", "source"))).ParamName);
        Assert.Equal("partition", (await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.CommitAsync("p", null!, 1))).ParamName);
        Assert.Equal("position", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.CommitAsync("p", "source", -1))).ParamName);
        Assert.Equal("dataSource", Assert.Throws<ArgumentNullException>(() => new PostgresDeadLetterSink(null!)).ParamName);
        Assert.Equal("deadLetters", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await new PostgresDeadLetterSink(dataSource).WriteAsync(null!))).ParamName);
    }

    [SkippableFact]
    public async Task Dead_letters_keep_every_field_with_the_payload_as_jsonb_and_are_stored_once_per_id()
    {
        await using var db = await TestDatabase.CreateAsync();
        var sink = new PostgresDeadLetterSink(db.DataSource, db.Tables());
        await sink.EnsureSchemaAsync();
        var when = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.FromHours(2));
        var first = DeadLetter.From(new { Id = 7, Name = "bad" }, new InvalidDataException("no name"), attempts: 3, pipeline: "orders", partition: "1", key: "customer-9", position: 7,
            context: new Dictionary<string, string> { ["tenant"] = "acme" }) with { Timestamp = when };
        var second = DeadLetter.From(8, new TimeoutException("slow"), pipeline: "orders", position: 8);

        await sink.WriteAsync([first, second]);
        await sink.WriteAsync([first]); // the same record dead-lettered again after a restart

        var stored = await sink.ReadAsync("orders").ToListAsync();
        Assert.Equal(2, stored.Count);
        var read = stored[0];
        Assert.Equal(first.Id, read.Id);
        Assert.Equal(("orders", "1", "customer-9", 7L, 3), (read.Pipeline, read.Partition, read.Key, read.Position!.Value, read.Attempts));
        Assert.Equal(typeof(InvalidDataException).FullName, read.ErrorType);
        Assert.Equal("no name", read.ErrorMessage);
        Assert.Contains("InvalidDataException", read.StackTrace);
        Assert.Equal(when, read.Timestamp);
        Assert.Equal("acme", read.Context!["tenant"]);
        Assert.Equal("8", stored[1].Payload);

        // The payload is real jsonb: an operator can query inside it.
        Assert.Equal("bad", await db.ScalarAsync<string>($"SELECT payload->>'Name' FROM \"{db.Schema}\".sluice_dead_letters WHERE position = 7"));
        Assert.Equal(2L, await db.ScalarAsync<long>($"SELECT count(*) FROM \"{db.Schema}\".sluice_dead_letters"));
    }

    [SkippableFact]
    public async Task A_payload_that_is_not_json_is_kept_as_a_json_string_rather_than_refused()
    {
        await using var db = await TestDatabase.CreateAsync();
        var sink = new PostgresDeadLetterSink(db.DataSource, db.Tables());
        await sink.EnsureSchemaAsync();
        await sink.WriteAsync([new DeadLetter { Id = "x", Pipeline = "p", Payload = "id=3;name=<broken", ErrorType = "E", ErrorMessage = "m" }]);

        Assert.Equal("string", await db.ScalarAsync<string>($"SELECT jsonb_typeof(payload) FROM \"{db.Schema}\".sluice_dead_letters"));
        Assert.Equal("id=3;name=<broken", await db.ScalarAsync<string>($"SELECT payload #>> '{{}}' FROM \"{db.Schema}\".sluice_dead_letters"));
        Assert.Equal("id=3;name=<broken", (await sink.ReadAsync("p").SingleAsync()).Payload); // read back as written, not as a JSON string
    }
}
