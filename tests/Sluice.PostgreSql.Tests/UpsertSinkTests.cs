using NpgsqlTypes;
using Sluice.PostgreSql.Tests.Support;

namespace Sluice.PostgreSql.Tests;

public class UpsertSinkTests
{
    private sealed record Order(int Id, string Region, decimal Amount, string? Note, string Tags);

    private static async Task<TestDatabase> WithOrdersAsync()
    {
        var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync($"CREATE TABLE \"{db.Schema}\".orders (id int, region text, amount numeric NOT NULL, note text, tags jsonb, PRIMARY KEY (id, region))");
        return db;
    }

    private static PostgresTableMap<Order> Map(TestDatabase db) => new PostgresTableMap<Order>("orders", db.Schema)
        .Key("id", o => o.Id)
        .Key("region", o => o.Region)
        .Column("amount", o => o.Amount)
        .Column("note", o => o.Note)
        .Column("tags", o => o.Tags, NpgsqlDbType.Jsonb);

    [SkippableFact]
    public async Task Update_inserts_new_keys_and_overwrites_existing_ones_with_the_last_record_of_a_batch()
    {
        await using var db = await WithOrdersAsync();
        var sink = new PostgresUpsertSink<Order>(db.DataSource, Map(db));

        await sink.UpsertAsync([new(1, "eu", 10m, "first", "[]"), new(2, "eu", 20m, null, "[]"), new(1, "us", 30m, null, "[]")]);
        await sink.UpsertAsync([new(1, "eu", 11m, null, "[\"late\"]"), new(2, "eu", 21m, "a", "[]"), new(2, "eu", 22m, "b", "[]")]);

        var rows = await db.ScalarAsync<string>($"SELECT string_agg(id || ':' || region || ':' || amount || ':' || coalesce(note, '-') || ':' || tags::text, ' ' ORDER BY id, region) FROM \"{db.Schema}\".orders");
        Assert.Equal("1:eu:11:-:[\"late\"] 1:us:30:-:[] 2:eu:22:b:[]", rows);
        Assert.Contains("ON CONFLICT (\"id\", \"region\") DO UPDATE SET \"amount\" = EXCLUDED.\"amount\"", sink.Sql);
    }

    [SkippableFact]
    public async Task DoNothing_keeps_the_first_write_of_each_key()
    {
        await using var db = await WithOrdersAsync();
        var sink = new PostgresUpsertSink<Order>(db.DataSource, Map(db), PostgresConflictAction.DoNothing);

        await sink.UpsertAsync([new(1, "eu", 10m, null, "[]"), new(1, "eu", 99m, null, "[]")]);
        await sink.UpsertAsync([new(1, "eu", 98m, null, "[]"), new(3, "eu", 30m, null, "[]")]);

        Assert.Equal("1:10 3:30", await db.ScalarAsync<string>($"SELECT string_agg(id || ':' || amount, ' ' ORDER BY id) FROM \"{db.Schema}\".orders"));
        Assert.EndsWith("DO NOTHING", sink.Sql);
    }

    [SkippableFact]
    public async Task A_failing_record_rolls_the_whole_call_back()
    {
        await using var db = await WithOrdersAsync();
        var sink = new PostgresUpsertSink<Order>(db.DataSource, Map(db));

        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(async () => await sink.UpsertAsync([new(1, "eu", 10m, null, "[]"), new(2, "eu", 20m, null, "{not json")]));
        Assert.Equal("22P02", error.SqlState); // invalid_text_representation
        Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM \"{db.Schema}\".orders"));
    }

    [Fact]
    public async Task The_map_is_explicit_and_checked()
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1");
        Assert.Equal("map", Assert.Throws<ArgumentException>(() => new PostgresUpsertSink<Order>(dataSource, new PostgresTableMap<Order>("orders").Column("amount", o => o.Amount))).ParamName);
        Assert.Equal("column", Assert.Throws<ArgumentException>(() => new PostgresTableMap<Order>("orders").Key("id", o => o.Id).Column("id", o => o.Amount)).ParamName);
        Assert.Equal("column", Assert.Throws<ArgumentException>(() => new PostgresTableMap<Order>("orders").Key("id); DROP TABLE x; --", o => o.Id)).ParamName);
        Assert.Equal("table", Assert.Throws<ArgumentException>(() => new PostgresTableMap<Order>("orders x")).ParamName);
        Assert.Equal("onConflict", Assert.Throws<ArgumentException>(() => new PostgresUpsertSink<Order>(dataSource, new PostgresTableMap<Order>("o").Key("id", o => o.Id), (PostgresConflictAction)7)).ParamName);
        var keyOnly = new PostgresUpsertSink<Order>(dataSource, new PostgresTableMap<Order>("o", "s").Key("id", o => o.Id));
        Assert.Equal("INSERT INTO \"s\".\"o\" (\"id\") VALUES ($1) ON CONFLICT (\"id\") DO NOTHING", keyOnly.Sql);
        await keyOnly.UpsertAsync([]); // nothing to write: no connection is opened
    }
}
