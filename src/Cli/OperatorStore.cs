using Npgsql;
using Sluice.PostgreSql;

namespace Sluice.Cli;

/// <summary>
/// The store the commands read and repair: a <see cref="FileCheckpointStore"/> directory, or a PostgreSQL database
/// holding the Sluice tables (<see cref="PostgresCheckpointStore"/> and <see cref="PostgresDeadLetterSink"/>).
/// </summary>
internal sealed class OperatorStore : IDisposable
{
    private readonly object _store;
    private readonly IDisposable? _owned;

    private OperatorStore(object store, IDeadLetterStore? deadLetters, IDisposable? owned)
    {
        _store = store;
        DeadLetters = deadLetters;
        _owned = owned;
    }

    /// <summary>Gets the database's dead-letter table, or <see langword="null"/> for a file store (whose runs name their dead-letter files).</summary>
    public IDeadLetterStore? DeadLetters { get; }

    private IPipelineRunStore Runs => (IPipelineRunStore)_store;

    private IPipelineLeaseStore Leases => (IPipelineLeaseStore)_store;

    private ICheckpointCatalog Catalog => (ICheckpointCatalog)_store;

    public static OperatorStore ForDirectory(string directory)
    {
        var store = new FileCheckpointStore(directory);
        return new OperatorStore(store, null, store);
    }

    public static OperatorStore ForPostgres(PostgresConnection connection, string schema)
    {
        PostgresTableNames tables;
        try
        {
            tables = new PostgresTableNames { Schema = schema };
        }
        catch (ArgumentException)
        {
            throw new OperatorException($"'{schema}' is not a plain schema name.", "Give --postgres-schema a letter or underscore, then letters, digits or underscores.");
        }

        var dataSource = NpgsqlDataSource.Create(connection.ConnectionString);
        return new OperatorStore(new PostgresCheckpointStore(dataSource, tables), new PostgresDeadLetterSink(dataSource, tables), dataSource);
    }

    public IAsyncEnumerable<PipelineRunRecord> ListRunsAsync(string? instance, CancellationToken token) => Runs.ListRunsAsync(instance, token);

    public ValueTask<PipelineRunRecord?> GetRunAsync(string runId, CancellationToken token) => Runs.GetRunAsync(runId, token);

    public IAsyncEnumerable<StoredCheckpoint> ListCheckpointsAsync(string? instance, CancellationToken token) => Catalog.ListCheckpointsAsync(instance, token);

    public ValueTask<PipelineLease?> GetLeaseAsync(string instance, CancellationToken token) => Leases.GetLeaseAsync(instance, token);

    public ValueTask<bool> ResetAsync(string instance, string partition, CancellationToken token) => Catalog.ResetAsync(instance, partition, token);

    public void Dispose() => _owned?.Dispose();
}

/// <summary>
/// A PostgreSQL connection string given to <c>--postgres</c> or <c>SLUICE_POSTGRES</c>. It is never printed: messages
/// name the server by <see cref="Description"/> (host, port, database, user), and <see cref="Redact(string)"/> removes the
/// password from any text that could have picked it up.
/// </summary>
internal sealed class PostgresConnection
{
    private readonly string? _password;

    private PostgresConnection(string connectionString, string description, string? password)
    {
        ConnectionString = connectionString;
        Description = description;
        _password = password;
    }

    /// <summary>Gets the connection of this invocation, once given, for <see cref="Redact(string)"/> in error messages.</summary>
    public static PostgresConnection? Current { get; private set; }

    public string ConnectionString { get; }

    /// <summary>Gets <c>user@host:port/database</c>, without the password.</summary>
    public string Description { get; }

    /// <summary>The connection given by <c>--postgres</c>, else by <c>SLUICE_POSTGRES</c> when no store directory is given either.</summary>
    public static PostgresConnection? Open(string? option, string? directory)
    {
        if (!string.IsNullOrWhiteSpace(option))
        {
            return Current = Parse(option, "--postgres");
        }

        return string.IsNullOrWhiteSpace(directory) && Environment.GetEnvironmentVariable(SluiceCommand.PostgresVariable) is { Length: > 0 } variable
            ? Current = Parse(variable, SluiceCommand.PostgresVariable)
            : null;
    }

    /// <summary>What to do about a database error, for the <c>next:</c> line.</summary>
    public static string Next(System.Data.Common.DbException error)
    {
        var server = Current is null ? "the server" : Current.Description;
        return error is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName }
            ? $"The Sluice tables are not in that schema of {server}: give --postgres-schema, or create them (sql/sluice-postgres.sql, or PostgresSchema.EnsureAsync)."
            : $"Check that {server} is reachable and the connection string given to --postgres (or {SluiceCommand.PostgresVariable}) is right.";
    }

    public static PostgresConnection Parse(string connectionString, string source)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            // The parser's message may quote the string, password included: say only what is wrong in general.
            throw new OperatorException(
                $"the PostgreSQL connection string given by {source} cannot be read.",
                "Give it as Key=Value pairs separated by ';', e.g. Host=db;Port=5432;Database=etl;Username=ops.");
        }

        var description = $"{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        return new PostgresConnection(connectionString, description, string.IsNullOrEmpty(builder.Password) ? null : builder.Password);
    }

    /// <summary>Replaces the password and the whole connection string with <c>***</c> wherever they appear in <paramref name="text"/>.</summary>
    public string Redact(string text)
    {
        text = text.Replace(ConnectionString, "***", StringComparison.Ordinal);
        return _password is null ? text : text.Replace(_password, "***", StringComparison.Ordinal);
    }
}
