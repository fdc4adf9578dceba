using Npgsql;

namespace Sluice.PostgreSql.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests run against: <c>SLUICE_POSTGRES_CONNECTION</c> (set by .ci/run, which starts a
/// throwaway cluster on loopback), else a server on 127.0.0.1:5432. When none answers, a test is skipped with the
/// reason locally and fails when <c>CI=true</c>: CI must never skip these tests.
/// </summary>
internal static class PostgresServer
{
    public const string ConnectionVariable = "SLUICE_POSTGRES_CONNECTION";

    private const string LocalDefault = "Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres";

    private static readonly Lazy<Task<string?>> Probe = new(ProbeAsync);

    public static string ConnectionString => Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } configured ? configured : LocalDefault;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns when the server answers; otherwise skips the test (locally) or fails it (in CI).</summary>
    public static async Task RequireAsync()
    {
        if (await Probe.Value is not { } problem)
        {
            return;
        }

        if (InCi)
        {
            throw new InvalidOperationException($"CI=true but PostgreSQL is unreachable ({problem}); .ci/run should have started it.");
        }

        Skip.If(true, $"No PostgreSQL server reachable ({problem}). Set {ConnectionVariable} or run .ci/run.");
    }

    private static async Task<string?> ProbeAsync()
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Timeout = 5, Pooling = false };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            return $"{new NpgsqlConnectionStringBuilder(ConnectionString).Host}:{new NpgsqlConnectionStringBuilder(ConnectionString).Port}: {e.Message}";
        }
    }
}

/// <summary>A fresh schema of its own for one test, dropped with everything in it at the end.</summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(NpgsqlDataSource dataSource, string schema)
    {
        DataSource = dataSource;
        Schema = schema;
    }

    public NpgsqlDataSource DataSource { get; }

    public string Schema { get; }

    public static async Task<TestDatabase> CreateAsync(Action<NpgsqlConnectionStringBuilder>? configure = null)
    {
        await PostgresServer.RequireAsync();
        var builder = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString);
        configure?.Invoke(builder);
        var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        var schema = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var command = dataSource.CreateCommand($"CREATE SCHEMA \"{schema}\""))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new TestDatabase(dataSource, schema);
    }

    public PostgresTableNames Tables(string prefix = "sluice") => new()
    {
        Schema = Schema,
        DeadLetters = prefix + "_dead_letters",
        Checkpoints = prefix + "_checkpoints",
        Runs = prefix + "_runs",
        Leases = prefix + "_leases",
        SchemaVersions = prefix + "_schema_versions",
    };

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ExecuteAsync($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
        }
        finally
        {
            await DataSource.DisposeAsync();
        }
    }
}
