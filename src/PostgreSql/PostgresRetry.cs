using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Sluice.PostgreSql;

/// <summary>
/// Tries a store call again when its connection broke: the server ended the session (<c>pg_terminate_backend</c>, a
/// restart, a failover) or the network dropped it, which a pool finds out only when it next uses an idle connection.
/// Only calls whose statements are idempotent go through it, so a call repeated after its answer was lost changes
/// nothing twice. The pipeline calls these stores outside its own resilience pipeline (run records, the lease, the
/// checkpoint read at the start), so without this one dropped connection would fail a run whose records are all safe.
/// </summary>
internal static class PostgresRetry
{
    /// <summary>How many times a call is made at most: the first attempt and up to four more.</summary>
    public const int Attempts = 5;

    /// <summary>The wait before the first retry; it doubles before each further one (50, 100, 200, 400 ms).</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);

    public static async ValueTask<TResult> RunAsync<TResult>(Func<CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < Attempts && IsBrokenConnection(e) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(FirstDelay * (1 << (attempt - 1)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static async ValueTask RunAsync(Func<CancellationToken, ValueTask> call, CancellationToken cancellationToken)
        => await RunAsync(
            async token =>
            {
                await call(token).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Whether the failure is one of the connection rather than of the statement: Npgsql's own transient classification
    /// (a broken stream, a timeout, a server that cannot take connections now) and the administrator's termination of the
    /// session (SQLSTATE 57P01), which PostgreSQL sends to the session it ends.
    /// </summary>
    public static bool IsBrokenConnection(Exception exception)
        => exception is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown } or NpgsqlException { IsTransient: true };
}
