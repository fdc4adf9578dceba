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
            ("public", "sluice_dead_letters", "sluice_checkpoints", "sluice_runs", "sluice_leases"),
            (PostgresTableNames.Default.Schema, PostgresTableNames.Default.DeadLetters, PostgresTableNames.Default.Checkpoints, PostgresTableNames.Default.Runs, PostgresTableNames.Default.Leases));
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
        Assert.Equal(4L, await db.ScalarAsync<long>($"SELECT count(*) FROM pg_tables WHERE schemaname = '{db.Schema}'"));
        var indexes = await db.ScalarAsync<string>($"SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '{db.Schema}'");
        Assert.Equal(
            "Mixed_Case_checkpoints_pkey,Mixed_Case_dead_letters_instance_time,Mixed_Case_dead_letters_pipeline_error,Mixed_Case_dead_letters_pipeline_key,"
            + "Mixed_Case_dead_letters_pipeline_time,Mixed_Case_dead_letters_pkey,Mixed_Case_leases_pkey,Mixed_Case_runs_instance_started,Mixed_Case_runs_pkey",
            indexes);
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
