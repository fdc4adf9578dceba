using System;

namespace Sluice.PostgreSql;

/// <summary>
/// Where the Sluice tables live. Every name is validated as a plain PostgreSQL identifier (a letter or underscore, then
/// letters, digits or underscores; at most <see cref="MaxTableNameLength"/> characters for tables, 63 for the schema)
/// and always quoted in SQL, so a name is never interpreted as SQL.
/// </summary>
public sealed record PostgresTableNames
{
    /// <summary>The longest accepted table name: index names add a suffix to it and must stay within 63 bytes.</summary>
    public const int MaxTableNameLength = 40;

    private readonly string _schema = "public";
    private readonly string _deadLetters = "sluice_dead_letters";
    private readonly string _checkpoints = "sluice_checkpoints";
    private readonly string _runs = "sluice_runs";
    private readonly string _leases = "sluice_leases";
    private readonly string _schemaVersions = "sluice_schema_versions";

    /// <summary>
    /// Gets the default names: <c>public.sluice_dead_letters</c>, <c>public.sluice_checkpoints</c>, <c>public.sluice_runs</c>,
    /// <c>public.sluice_leases</c> and <c>public.sluice_schema_versions</c>.
    /// </summary>
    public static PostgresTableNames Default { get; } = new();

    /// <summary>Gets the schema of the tables. The default is <c>public</c>.</summary>
    /// <exception cref="ArgumentException">The value is not a plain identifier.</exception>
    public string Schema
    {
        get => _schema;
        init => _schema = PostgresIdentifier.Validate(value, 63, nameof(Schema));
    }

    /// <summary>Gets the dead-letter table's name. The default is <c>sluice_dead_letters</c>.</summary>
    /// <exception cref="ArgumentException">The value is not a plain identifier of at most <see cref="MaxTableNameLength"/> characters.</exception>
    public string DeadLetters
    {
        get => _deadLetters;
        init => _deadLetters = PostgresIdentifier.Validate(value, MaxTableNameLength, nameof(DeadLetters));
    }

    /// <summary>Gets the checkpoint table's name. The default is <c>sluice_checkpoints</c>.</summary>
    /// <exception cref="ArgumentException">The value is not a plain identifier of at most <see cref="MaxTableNameLength"/> characters.</exception>
    public string Checkpoints
    {
        get => _checkpoints;
        init => _checkpoints = PostgresIdentifier.Validate(value, MaxTableNameLength, nameof(Checkpoints));
    }

    /// <summary>Gets the run-record table's name. The default is <c>sluice_runs</c>.</summary>
    /// <exception cref="ArgumentException">The value is not a plain identifier of at most <see cref="MaxTableNameLength"/> characters.</exception>
    public string Runs
    {
        get => _runs;
        init => _runs = PostgresIdentifier.Validate(value, MaxTableNameLength, nameof(Runs));
    }

    /// <summary>Gets the instance-lease table's name. The default is <c>sluice_leases</c>.</summary>
    /// <exception cref="ArgumentException">The value is not a plain identifier of at most <see cref="MaxTableNameLength"/> characters.</exception>
    public string Leases
    {
        get => _leases;
        init => _leases = PostgresIdentifier.Validate(value, MaxTableNameLength, nameof(Leases));
    }

    /// <summary>
    /// Gets the name of the table that records the schema version of each Sluice table (<see cref="PostgresSchema.CurrentVersion"/>),
    /// keyed by table name. The default is <c>sluice_schema_versions</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The value is not a plain identifier of at most <see cref="MaxTableNameLength"/> characters.</exception>
    public string SchemaVersions
    {
        get => _schemaVersions;
        init => _schemaVersions = PostgresIdentifier.Validate(value, MaxTableNameLength, nameof(SchemaVersions));
    }

    internal string QualifiedDeadLetters => PostgresIdentifier.Qualify(Schema, DeadLetters);

    internal string QualifiedCheckpoints => PostgresIdentifier.Qualify(Schema, Checkpoints);

    internal string QualifiedRuns => PostgresIdentifier.Qualify(Schema, Runs);

    internal string QualifiedLeases => PostgresIdentifier.Qualify(Schema, Leases);

    internal string QualifiedSchemaVersions => PostgresIdentifier.Qualify(Schema, SchemaVersions);
}
