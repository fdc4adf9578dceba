using System.Globalization;
using Npgsql;
using Sluice.PostgreSql.Tests.Support;

namespace Sluice.PostgreSql.Tests.CrashRecovery;

/// <summary>
/// Entry point used only when the crash test starts this assembly as a child process
/// (<c>dotnet Sluice.PostgreSql.Tests.dll tx-pipeline schema count</c>); the test runner never calls it.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["tx-pipeline", var schema, var count])
        {
            await CrashPipeline.RunAsync(schema, int.Parse(count, CultureInfo.InvariantCulture));
            return 0;
        }

        if (args is ["lease-pipeline", var leaseSchema, var leaseCount])
        {
            await LeasePipeline.RunAsync(leaseSchema, int.Parse(leaseCount, CultureInfo.InvariantCulture));
            return 0;
        }

        await Console.Error.WriteLineAsync("usage: tx-pipeline|lease-pipeline <schema> <count>   (server from " + PostgresServer.ConnectionVariable + ")");
        return 2;
    }
}

/// <summary>
/// The pipeline the crash test kills and reruns: a plain INSERT, committed with its dead letters and checkpoint. The run
/// holds the instance's lease, which a killed run never gives back: a short lease, and waiting for it, let the rerun take
/// over once it expires.
/// </summary>
internal static class CrashPipeline
{
    public const string Name = "crash";

    // Long enough that a renewal on a loaded CI machine is answered in time (within half of it), short enough that the
    // run after a SIGKILL does not wait long for the killed run's lease to expire.
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(3);

    public static bool IsPoison(int id) => id % 41 == 5;

    public static PostgresTableNames Tables(string schema) => new() { Schema = schema };

    public static async Task RunAsync(string schema, int count)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresServer.ConnectionString);
        var sink = new PostgresTransactionalSink<Event>(dataSource, new PlainInsertWriter(schema), Tables(schema));
        await SluicePipeline.From(Enumerable.Range(0, count).Select(i => new Event(i, i)))
            .WithName(Name)
            .WithBatchSize(7)
            .WithResilience(Fast.Resilience())
            .WithTransactionalSink(sink)
            .WithLease(LeaseDuration, waitForHolder: TimeSpan.FromSeconds(30))
            .RunAsync(async (e, token) =>
            {
                if (IsPoison(e.Id))
                {
                    throw new InvalidDataException($"record {e.Id} is malformed");
                }

                // Slow enough that the parent can kill the run part-way through, at many different points.
                await Task.Delay(1, token);
            });
    }
}

/// <summary>The pipeline the lease test kills: checkpoints, run records and its lease in PostgreSQL, slow records.</summary>
internal static class LeasePipeline
{
    public const string Name = "leased";
    public const string Input = "night-1";
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(8);

    public static string Instance => Name + "@" + Input;

    public static PostgresTableNames Tables(string schema) => new() { Schema = schema };

    public static async Task RunAsync(string schema, int count)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresServer.ConnectionString);
        await SluicePipeline.From(Enumerable.Range(0, count))
            .WithName(Name)
            .ForInput(Input)
            .WithBatchSize(5)
            .WithCheckpoints(new PostgresCheckpointStore(dataSource, Tables(schema)))
            .WithLease(LeaseDuration)
            .RunAsync((_, token) => new ValueTask(Task.Delay(10, token)));
    }
}
