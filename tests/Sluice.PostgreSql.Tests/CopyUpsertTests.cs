using Npgsql;
using NpgsqlTypes;
using Sluice.PostgreSql.Tests.Support;

namespace Sluice.PostgreSql.Tests;

/// <summary>The binary COPY + merge path of <see cref="PostgresUpsertSink{T}"/> for large calls: the same rows as the statement-per-record path.</summary>
public class CopyUpsertTests
{
    private sealed record Item(int Id, string Region, decimal Amount, string? Note, string Tags, DateTimeOffset At);

    // id is bigint while the record's Id is an int: the COPY path must type it as the column, as the INSERT path lets the server do.
    private static string CreateTable(TestDatabase db, string name)
        => $"CREATE TABLE \"{db.Schema}\".{name} (id bigint, region text, amount numeric(12,2) NOT NULL, note text, tags jsonb, at timestamptz, PRIMARY KEY (id, region))";

    private static PostgresTableMap<Item> Map(TestDatabase db, string table) => new PostgresTableMap<Item>(table, db.Schema)
        .Key("id", i => i.Id)
        .Key("region", i => i.Region)
        .Column("amount", i => i.Amount)
        .Column("note", i => i.Note)
        .Column("tags", i => i.Tags, NpgsqlDbType.Jsonb)
        .Column("at", i => i.At);

    // Keys drawn from a small range, so calls repeat keys within themselves and across calls; some notes are null.
    private static List<Item[]> Calls(int seed, int calls, int size)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
        return Enumerable.Range(0, calls).Select(_ => Enumerable.Range(0, size).Select(_ => new Item(
            random.Next(size),
            random.Next(3) switch { 0 => "eu", 1 => "us", _ => "ap" },
            random.Next(100_000) / 100m,
            random.Next(4) == 0 ? null : "note-" + random.Next(1000),
            $"{{\"n\":{random.Next(10)}}}",
            start.AddSeconds(random.Next(86_400)))).ToArray()).ToList();
    }

    private static Task<string> DumpAsync(TestDatabase db, string table)
        => db.ScalarAsync<string>(
            $"SELECT coalesce(string_agg(id || '|' || region || '|' || amount || '|' || coalesce(note, '<null>') || '|' || tags::text || '|' || extract(epoch FROM at), E'\\n' ORDER BY id, region), '') FROM \"{db.Schema}\".{table}");

    [SkippableTheory]
    [InlineData(PostgresConflictAction.Update)]
    [InlineData(PostgresConflictAction.DoNothing)]
    public async Task Copy_and_merge_leaves_the_same_rows_as_one_statement_per_record(PostgresConflictAction onConflict)
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(CreateTable(db, "by_statement"));
        await db.ExecuteAsync(CreateTable(db, "by_copy"));
        var byStatement = new PostgresUpsertSink<Item>(db.DataSource, Map(db, "by_statement"), onConflict) { CopyThreshold = int.MaxValue };
        var byCopy = new PostgresUpsertSink<Item>(db.DataSource, Map(db, "by_copy"), onConflict) { CopyThreshold = 1 };

        foreach (var call in Calls(seed: 7, calls: 4, size: 1500))
        {
            await byStatement.UpsertAsync(call);
            await byCopy.UpsertAsync(call);
        }

        var expected = await DumpAsync(db, "by_statement");
        Assert.True(expected.Split('\n').Length > 1000, "the calls should leave many rows");
        Assert.Equal(expected, await DumpAsync(db, "by_copy"));
    }

    [SkippableFact]
    public async Task Only_calls_of_at_least_the_threshold_use_copy_and_two_in_one_transaction_both_land()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(CreateTable(db, "items"));
        var sink = new PostgresUpsertSink<Item>(db.DataSource, Map(db, "items")) { CopyThreshold = 10 };
        var calls = Calls(seed: 3, calls: 3, size: 10);
        var at = calls[0][0].At;

        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        async Task<long> StagingTablesAsync()
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_class WHERE relname LIKE 'sluice_upsert_%' AND relpersistence = 't'", connection, transaction);
            return (long)(await command.ExecuteScalarAsync())!;
        }

        await sink.WriteAsync(calls[0][..9], connection, transaction);
        Assert.Equal(0L, await StagingTablesAsync()); // 9 < 10: statements
        await sink.WriteAsync(calls[1], connection, transaction);
        Assert.Equal(1L, await StagingTablesAsync()); // 10: COPY into the staging table
        await sink.WriteAsync([.. calls[2], new Item(424242, "eu", 1m, null, "[]", at)], connection, transaction); // the staging table again, emptied first
        await transaction.CommitAsync();

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname LIKE 'sluice_upsert_%' AND relpersistence = 't'")); // dropped at commit
        var keys = calls[0][..9].Concat(calls[1]).Concat(calls[2]).Select(i => (i.Id, i.Region)).Append((424242, "eu")).Distinct().Count();
        Assert.Equal((long)keys, await db.ScalarAsync<long>($"SELECT count(*) FROM \"{db.Schema}\".items"));
    }

    [SkippableFact]
    public async Task A_failing_record_rolls_the_whole_copied_call_back()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(CreateTable(db, "items"));
        var sink = new PostgresUpsertSink<Item>(db.DataSource, Map(db, "items")) { CopyThreshold = 2 };
        var at = DateTimeOffset.UnixEpoch;

        await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await sink.UpsertAsync([new(1, "eu", 1m, null, "[]", at), new(2, "eu", 2m, null, "{not json", at)]));
        Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM \"{db.Schema}\".items"));
    }

    [Fact]
    public async Task The_threshold_is_checked_and_named()
    {
        await using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1");
        var map = new PostgresTableMap<Item>("items").Key("id", i => i.Id);
        Assert.Equal(PostgresUpsertSink<Item>.DefaultCopyThreshold, new PostgresUpsertSink<Item>(dataSource, map).CopyThreshold);
        Assert.Equal("CopyThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new PostgresUpsertSink<Item>(dataSource, map) { CopyThreshold = 0 }).ParamName);
    }
}
