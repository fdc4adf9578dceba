using Sluice.PostgreSql.Tests.Support;

namespace Sluice.PostgreSql.Tests;

public class SchemaTests
{
    // From the repository root the build records (a CI build maps source paths, so the caller's file path will not do).
    private static string ShippedScriptPath()
        => Path.Combine(
            typeof(SchemaTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
                .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!,
            "src", "PostgreSql", "sql", "sluice-postgres.sql");

    [Fact]
    public void The_shipped_script_is_the_one_EnsureSchemaAsync_runs()
    {
        Assert.Equal(PostgresSchema.Script(), File.ReadAllText(ShippedScriptPath()).Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("orders; DROP TABLE users")]
    [InlineData("\"quoted\"")]
    [InlineData("1starts_with_digit")]
    [InlineData("has space")]
    [InlineData("dash-ed")]
    [InlineData("")]
    [InlineData("ünïcode")]
    [InlineData("a_name_that_is_longer_than_forty_characters_x")]
    public void Table_names_that_are_not_plain_identifiers_are_refused(string name)
    {
        Assert.Equal("DeadLetters", Assert.Throws<ArgumentException>(() => new PostgresTableNames { DeadLetters = name }).ParamName);
        Assert.Equal("Checkpoints", Assert.Throws<ArgumentException>(() => new PostgresTableNames { Checkpoints = name }).ParamName);
        Assert.Equal("SchemaVersions", Assert.Throws<ArgumentException>(() => new PostgresTableNames { SchemaVersions = name }).ParamName);
        var schema = name.Length > PostgresTableNames.MaxTableNameLength ? name + new string('x', 63) : name; // schemas may be up to 63
        Assert.Equal("Schema", Assert.Throws<ArgumentException>(() => new PostgresTableNames { Schema = schema }).ParamName);
    }

    [Fact]
    public void Names_are_quoted_in_the_script_and_the_defaults_are_documented()
    {
        var script = PostgresSchema.Script(new PostgresTableNames { Schema = "Ops", DeadLetters = "DL", Checkpoints = "_cp1" });
        Assert.Contains("CREATE TABLE IF NOT EXISTS \"Ops\".\"DL\" (", script);
        Assert.Contains("CREATE TABLE IF NOT EXISTS \"Ops\".\"_cp1\" (", script);
        Assert.Contains("CREATE INDEX IF NOT EXISTS \"DL_pipeline_time\" ON \"Ops\".\"DL\"", script);
        Assert.Equal(
            ("public", "sluice_dead_letters", "sluice_checkpoints", "sluice_runs", "sluice_leases", "sluice_schema_versions"),
            (PostgresTableNames.Default.Schema, PostgresTableNames.Default.DeadLetters, PostgresTableNames.Default.Checkpoints, PostgresTableNames.Default.Runs, PostgresTableNames.Default.Leases, PostgresTableNames.Default.SchemaVersions));
    }

    [SkippableFact]
    public async Task Creating_the_schema_again_and_concurrently_changes_nothing_and_keeps_the_data()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tables = db.Tables("Mixed_Case");
        await PostgresSchema.EnsureAsync(db.DataSource, tables);
        var checkpoints = new PostgresCheckpointStore(db.DataSource, tables);
        await checkpoints.CommitAsync("p", "source", 42);

        // Again, from several sessions at once, and through each store's own EnsureSchemaAsync.
        var deadLetters = new PostgresDeadLetterSink(db.DataSource, tables);
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 3) switch
        {
            0 => PostgresSchema.EnsureAsync(db.DataSource, tables),
            1 => checkpoints.EnsureSchemaAsync(),
            _ => deadLetters.EnsureSchemaAsync(),
        }));

        Assert.Equal(42L, await checkpoints.LoadAsync("p", "source"));
        Assert.Equal(5L, await db.ScalarAsync<long>($"SELECT count(*) FROM pg_tables WHERE schemaname = '{db.Schema}'"));
        var indexes = await db.ScalarAsync<string>($"SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '{db.Schema}'");
        Assert.Equal(
            "Mixed_Case_checkpoints_pkey,Mixed_Case_dead_letters_instance_time,Mixed_Case_dead_letters_pipeline_error,Mixed_Case_dead_letters_pipeline_key,"
            + "Mixed_Case_dead_letters_pipeline_time,Mixed_Case_dead_letters_pkey,Mixed_Case_leases_pkey,Mixed_Case_runs_instance_started,Mixed_Case_runs_pkey,"
            + "Mixed_Case_schema_versions_pkey",
            indexes);
        Assert.Equal(
            [("Mixed_Case_checkpoints", 2), ("Mixed_Case_dead_letters", 2), ("Mixed_Case_leases", 2), ("Mixed_Case_runs", 2)],
            await VersionsAsync(db, tables));
    }

    private static async Task<List<(string Table, int Version)>> VersionsAsync(TestDatabase db, PostgresTableNames tables)
    {
        var versions = new List<(string, int)>();
        await using var command = db.DataSource.CreateCommand($"SELECT table_name, version FROM \"{db.Schema}\".\"{tables.SchemaVersions}\" ORDER BY table_name");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add((reader.GetString(0), reader.GetInt32(1)));
        }

        return versions;
    }

    private static async Task<string> ColumnsAsync(TestDatabase db, string table)
        => await db.ScalarAsync<string>($"SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_schema = '{db.Schema}' AND table_name = '{table}'");

    /// <summary>The tables as the first version of the package made them: no version table, no run or lease table, three dead-letter columns fewer.</summary>
    private static async Task CreateVersionOneAsync(TestDatabase db, PostgresTableNames tables)
    {
        await db.ExecuteAsync($$"""
            CREATE TABLE "{{db.Schema}}"."{{tables.DeadLetters}}" (
                id text NOT NULL PRIMARY KEY, pipeline text, partition text, record_key text, position bigint CHECK (position >= 0),
                payload jsonb NOT NULL, error_type text NOT NULL, error_message text NOT NULL, stack_trace text,
                attempts integer NOT NULL CHECK (attempts >= 1), context jsonb, dead_lettered_at timestamptz NOT NULL,
                stored_at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX "{{tables.DeadLetters}}_pipeline_time" ON "{{db.Schema}}"."{{tables.DeadLetters}}" (pipeline, dead_lettered_at);
            CREATE TABLE "{{db.Schema}}"."{{tables.Checkpoints}}" (
                pipeline text NOT NULL, partition text NOT NULL, position bigint NOT NULL CHECK (position >= 0),
                committed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (pipeline, partition));
            INSERT INTO "{{db.Schema}}"."{{tables.DeadLetters}}" (id, pipeline, position, payload, error_type, error_message, attempts, dead_lettered_at)
                VALUES ('old-1', 'nightly', 7, '{"Id": 7}', 'System.FormatException', 'bad 7', 2, '2026-11-01T02:00:00Z');
            INSERT INTO "{{db.Schema}}"."{{tables.Checkpoints}}" (pipeline, partition, position) VALUES ('nightly', 'source', 120);
            """);
    }

    private const string VersionTwoDeadLetterColumns =
        "attempts,context,dead_lettered_at,error_message,error_type,id,instance,partition,payload,payload_escaped,pipeline,position,record_key,run_id,stack_trace,stored_at";

    [SkippableFact]
    public async Task A_database_of_the_first_version_is_upgraded_in_place_keeping_its_rows_and_again_changes_nothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tables = db.Tables();
        await CreateVersionOneAsync(db, tables);

        await PostgresSchema.EnsureAsync(db.DataSource, tables);

        Assert.Equal(VersionTwoDeadLetterColumns, await ColumnsAsync(db, tables.DeadLetters));
        Assert.Equal(5L, await db.ScalarAsync<long>($"SELECT count(*) FROM pg_tables WHERE schemaname = '{db.Schema}'"));
        Assert.Equal(2L, await db.ScalarAsync<long>($"SELECT count(*) FROM pg_indexes WHERE schemaname = '{db.Schema}' AND indexname IN ('sluice_dead_letters_instance_time', 'sluice_runs_instance_started')"));
        Assert.Equal([("sluice_checkpoints", 2), ("sluice_dead_letters", 2), ("sluice_leases", 2), ("sluice_runs", 2)], await VersionsAsync(db, tables));

        // The old rows are kept and read as before; the new columns are empty for them.
        var deadLetters = new PostgresDeadLetterSink(db.DataSource, tables);
        var old = Assert.Single(await deadLetters.ReadAsync("nightly").ToListAsync());
        Assert.Equal(("old-1", 7L, "{\"Id\": 7}", 2, (string?)null, (string?)null), (old.Id, old.Position!.Value, old.Payload, old.Attempts, old.Instance, old.RunId));
        var store = new PostgresCheckpointStore(db.DataSource, tables);
        Assert.Equal(120L, await store.LoadAsync("nightly", "source"));

        // What version 2 added works on the upgraded tables: run records, the lease, a NUL payload, instance and run id.
        var report = await SluicePipeline.From(Enumerable.Range(0, 10)).WithName("after-upgrade").ForInput("day-1")
            .WithCheckpoints(store).WithDeadLetters(deadLetters, i => $"{{\"text\":\"nul\\u0000{i}\"}}")
            .RunAsync((i, _) => i == 4 ? throw new FormatException("bad 4") : ValueTask.CompletedTask);
        Assert.Equal(PipelineRunStatus.Completed, Assert.Single(await store.ListRunsAsync("after-upgrade@day-1").ToListAsync()).Status);
        var letter = Assert.Single(await deadLetters.ReadAsync("after-upgrade").ToListAsync());
        Assert.Equal(("{\"text\":\"nul\\u00004\"}", "after-upgrade@day-1", report.RunId), (letter.Payload, letter.Instance, letter.RunId));

        // Again, from each entry point: nothing changes, rows included.
        var upgradedAt = await db.ScalarAsync<DateTime>($"SELECT max(upgraded_at) FROM \"{db.Schema}\".\"{tables.SchemaVersions}\"");
        await PostgresSchema.EnsureAsync(db.DataSource, tables);
        await store.EnsureSchemaAsync();
        await deadLetters.EnsureSchemaAsync();
        Assert.Equal(VersionTwoDeadLetterColumns, await ColumnsAsync(db, tables.DeadLetters));
        Assert.Equal(upgradedAt, await db.ScalarAsync<DateTime>($"SELECT max(upgraded_at) FROM \"{db.Schema}\".\"{tables.SchemaVersions}\""));
        Assert.Equal(2, await deadLetters.ReadAsync(new DeadLetterQuery()).CountAsync());
    }

    [SkippableFact]
    public async Task The_DBA_script_upgrades_a_first_version_database_the_same_way()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tables = db.Tables();
        await CreateVersionOneAsync(db, tables);

        // As a DBA runs it: the whole script as one piece of text, its own transaction included.
        await db.ExecuteAsync(PostgresSchema.Script(tables));
        await db.ExecuteAsync(PostgresSchema.Script(tables));

        Assert.Equal(VersionTwoDeadLetterColumns, await ColumnsAsync(db, tables.DeadLetters));
        Assert.Equal([("sluice_checkpoints", 2), ("sluice_dead_letters", 2), ("sluice_leases", 2), ("sluice_runs", 2)], await VersionsAsync(db, tables));
        Assert.Equal(120L, await new PostgresCheckpointStore(db.DataSource, tables).LoadAsync("nightly", "source"));
        Assert.Equal("bad 7", Assert.Single(await new PostgresDeadLetterSink(db.DataSource, tables).ReadAsync("nightly").ToListAsync()).ErrorMessage);
    }

    [SkippableFact]
    public async Task Tables_of_a_newer_schema_version_are_refused_by_every_entry_point_and_nothing_is_changed()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tables = db.Tables();
        await PostgresSchema.EnsureAsync(db.DataSource, tables);

        // A later package recorded version 3 for the run table; the lease table is gone, to see that nothing is created.
        await db.ExecuteAsync($"UPDATE \"{db.Schema}\".\"{tables.SchemaVersions}\" SET version = 3 WHERE table_name = '{tables.Runs}'; DROP TABLE \"{db.Schema}\".\"{tables.Leases}\"");

        var ensure = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.EnsureAsync(db.DataSource, tables));
        Assert.Equal(
            $"The Sluice table {db.Schema}.sluice_runs has schema version 3, newer than this version of Sluice.PostgreSql knows (2): upgrade the package (or use the script of the version that made it). Nothing was changed.",
            ensure.Message);
        Assert.Equal("SLU01", Assert.IsType<Npgsql.PostgresException>(ensure.InnerException).SqlState);
        Assert.Contains("schema version 3", (await Assert.ThrowsAsync<InvalidOperationException>(() => new PostgresCheckpointStore(db.DataSource, tables).EnsureSchemaAsync())).Message, StringComparison.Ordinal);
        Assert.Contains("schema version 3", (await Assert.ThrowsAsync<InvalidOperationException>(() => new PostgresTransactionalSink<Event>(db.DataSource, new PlainInsertWriter(db.Schema), tables).EnsureSchemaAsync())).Message, StringComparison.Ordinal);
        var script = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.ExecuteAsync(PostgresSchema.Script(tables)));
        Assert.Equal("SLU01", script.SqlState);

        Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM pg_tables WHERE schemaname = '{db.Schema}' AND tablename = '{tables.Leases}'"));
        Assert.Equal(
            [("sluice_checkpoints", 2), ("sluice_dead_letters", 2), ("sluice_leases", 2), ("sluice_runs", 3)],
            await VersionsAsync(db, tables));

        // The dead-letter table alone is of a version this package knows: its own EnsureSchemaAsync still works.
        await new PostgresDeadLetterSink(db.DataSource, tables).EnsureSchemaAsync();
    }

    [SkippableFact]
    public async Task Each_store_refuses_tables_of_a_newer_schema_version_on_its_first_call_with_the_message_of_EnsureSchemaAsync()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tables = db.Tables();
        await PostgresSchema.EnsureAsync(db.DataSource, tables);
        await new PostgresCheckpointStore(db.DataSource, tables).CommitAsync("p", "source", 5);
        await db.ExecuteAsync($"UPDATE \"{db.Schema}\".\"{tables.SchemaVersions}\" SET version = 3 WHERE table_name IN ('{tables.Leases}', '{tables.DeadLetters}')");
        var expected = (await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.EnsureAsync(db.DataSource, tables))).Message;
        Assert.Contains("sluice_dead_letters has schema version 3", expected, StringComparison.Ordinal);

        // The checkpoint store's tables: the lease table is newer, so every call of a new store is refused, reads included.
        var store = new PostgresCheckpointStore(db.DataSource, tables);
        var leases = expected.Replace("sluice_dead_letters", "sluice_leases", StringComparison.Ordinal);
        Assert.Equal(leases, (await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.LoadAsync("p", "source"))).Message);
        Assert.Equal(leases, (await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.CommitAsync("p", "source", 9))).Message);
        Assert.Equal(leases, (await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.ListRunsAsync().ToListAsync())).Message);
        Assert.Equal(leases, (await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.ResetAsync("p", "source"))).Message);
        var run = SluicePipeline.From(Enumerable.Range(0, 3)).WithName("p").WithCheckpoints(store).RunAsync((_, _) => ValueTask.CompletedTask);
        Assert.Equal(leases, (await Assert.ThrowsAsync<InvalidOperationException>(async () => await run)).Message);

        // The dead-letter sink: refused before anything is written.
        var deadLetters = new PostgresDeadLetterSink(db.DataSource, tables);
        var letter = new DeadLetter { Id = "d1", Pipeline = "p", Payload = "{}", ErrorType = "E", ErrorMessage = "m", Attempts = 1, Timestamp = DateTimeOffset.UtcNow };
        Assert.Equal(expected, (await Assert.ThrowsAsync<InvalidOperationException>(async () => await deadLetters.WriteAsync([letter]))).Message);
        Assert.Equal(expected, (await Assert.ThrowsAsync<InvalidOperationException>(async () => await deadLetters.ReadAsync(new DeadLetterQuery()).ToListAsync())).Message);
        Assert.Equal(expected, (await Assert.ThrowsAsync<InvalidOperationException>(async () => await deadLetters.DeleteAsync(["d1"]))).Message);

        // The transactional sink checks both: its commit changes nothing.
        await db.ExecuteAsync(PlainInsertWriter.CreateTable(db.Schema));
        var sink = new PostgresTransactionalSink<Event>(db.DataSource, new PlainInsertWriter(db.Schema), tables);
        var batch = new TransactionalBatch<Event> { Pipeline = "p", Partition = "source", CheckpointFrom = 5, Checkpoint = 6, Records = [new Event(5, 1)], Positions = [5], DeadLetters = [letter] };
        Assert.Equal(leases, (await Assert.ThrowsAsync<InvalidOperationException>(async () => await sink.CommitAsync(batch))).Message);

        Assert.Equal(5L, await db.ScalarAsync<long>($"SELECT position FROM \"{db.Schema}\".\"{tables.Checkpoints}\""));
        Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM \"{db.Schema}\".\"{tables.DeadLetters}\""));
        Assert.Empty(await Outcome.StoredIdsAsync(db.DataSource, db.Schema));
        Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM \"{db.Schema}\".\"{tables.Runs}\""));
    }

    [SkippableFact]
    public async Task A_store_checks_the_schema_version_once_and_keeps_its_answer()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tables = db.Tables();
        await PostgresSchema.EnsureAsync(db.DataSource, tables);
        var versions = $"\"{db.Schema}\".\"{tables.SchemaVersions}\"";

        // Checked on the first call and passed: a version recorded afterwards is not looked at again by this store...
        var store = new PostgresCheckpointStore(db.DataSource, tables);
        await store.CommitAsync("p", "source", 1);
        await db.ExecuteAsync($"UPDATE {versions} SET version = 3 WHERE table_name = '{tables.Checkpoints}'");
        await store.CommitAsync("p", "source", 2);
        Assert.Equal(2L, await store.LoadAsync("p", "source"));

        // ...but a new store looks, and keeps its refusal even once the version is back to one it knows.
        var refused = new PostgresCheckpointStore(db.DataSource, tables);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await refused.LoadAsync("p", "source"));
        await db.ExecuteAsync($"UPDATE {versions} SET version = 2");
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await refused.LoadAsync("p", "source"));
        Assert.Equal(2L, await new PostgresCheckpointStore(db.DataSource, tables).LoadAsync("p", "source"));
    }

    [SkippableFact]
    public async Task Without_a_version_table_the_stores_use_the_tables_they_find()
    {
        await using var db = await TestDatabase.CreateAsync();
        var tables = db.Tables();
        await CreateVersionOneAsync(db, tables);

        // The first version's checkpoint table has every column the checkpoint calls use: they work as before.
        var store = new PostgresCheckpointStore(db.DataSource, tables);
        Assert.Equal(120L, await store.LoadAsync("nightly", "source"));
        await store.CommitAsync("nightly", "source", 130);
        Assert.Equal(130L, await store.LoadAsync("nightly", "source"));

        // Its dead-letter table lacks columns version 2 added: reading fails as it did, on the column, not on a version.
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(async () => await new PostgresDeadLetterSink(db.DataSource, tables).ReadAsync("nightly").ToListAsync());
        Assert.Equal("42703", error.SqlState); // undefined_column
        Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM pg_tables WHERE schemaname = '{db.Schema}' AND tablename = '{tables.SchemaVersions}'"));
    }

    [SkippableFact]
    public async Task Without_the_schema_a_store_fails_loudly_rather_than_reading_nothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        var checkpoints = new PostgresCheckpointStore(db.DataSource, db.Tables());
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(async () => await checkpoints.LoadAsync("p", "source"));
        Assert.Equal("42P01", error.SqlState); // undefined_table
    }
}
