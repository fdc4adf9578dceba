using Sluice.Analyzers.Reliability;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Reliability;

namespace Sluice.Analyzers.Tests.Reliability;

public class SLU301_InfiniteTimeoutTests
{
    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<InfiniteTimeoutAnalyzer>().WithSource(source);

    private static RuleTest Fix()
        => Verify.CodeFix<InfiniteTimeoutAnalyzer, InfiniteTimeoutCodeFix>(InfiniteTimeoutCodeFix.FiniteTimeoutKey);

    // ---- Positives ----------------------------------------------------------------------------

    [Fact]
    public Task HttpClient_Timeout_assigned_InfiniteTimeSpan_is_reported_on_the_assignment()
        => Analyzer("""
            using System.Net.Http;
            using System.Threading;

            class Client
            {
                void Configure(HttpClient http)
                {
                    [|http.Timeout = Timeout.InfiniteTimeSpan|];
                }
            }
            """)
            .WithMessages("HttpClient.Timeout is infinite (Timeout.InfiniteTimeSpan), so a stalled request can wait forever")
            .RunAsync();

    [Fact]
    public Task Infinite_timeouts_in_object_initializers_and_from_minus_one_milliseconds_are_reported()
        => Analyzer("""
            using System;
            using System.Net.Http;
            using System.Threading;

            class Client
            {
                HttpClient Create() => new HttpClient(new SocketsHttpHandler { [|ConnectTimeout = Timeout.InfiniteTimeSpan|] })
                {
                    [|Timeout = TimeSpan.FromMilliseconds(-1)|],
                };
            }
            """)
            .WithMessages(
                "SocketsHttpHandler.ConnectTimeout is infinite (Timeout.InfiniteTimeSpan), so a connection attempt to an unreachable host can wait forever",
                "HttpClient.Timeout is infinite (TimeSpan.FromMilliseconds(-1)), so a stalled request can wait forever")
            .RunAsync();

    [Fact]
    public Task CommandTimeout_zero_is_reported_for_any_ADO_NET_provider()
        => Analyzer("""
            using System.Data;
            using System.Data.Common;
            using Npgsql;

            class Repository
            {
                void Configure(NpgsqlCommand npgsql, DbCommand common, IDbCommand contract)
                {
                    [|npgsql.CommandTimeout = 0|];
                    [|common.CommandTimeout = 0|];
                    [|contract.CommandTimeout = 0|];
                }
            }
            """)
            .WithLibraries(Library.Npgsql)
            .WithMessages(
                "NpgsqlCommand.CommandTimeout is infinite (0), so a blocked query can wait forever",
                "DbCommand.CommandTimeout is infinite (0), so a blocked query can wait forever",
                "IDbCommand.CommandTimeout is infinite (0), so a blocked query can wait forever")
            .RunAsync();

    [Fact]
    public Task Dapper_commandTimeout_zero_is_reported_on_the_argument()
        => Analyzer("""
            using System.Data.Common;
            using Dapper;

            class Repository
            {
                void Load(DbConnection connection)
                {
                    connection.Query<int>("select id from orders", [|commandTimeout: 0|]);
                    var definition = new CommandDefinition("select id from orders", [|commandTimeout: 0|]);
                }
            }
            """)
            .WithLibraries(Library.Dapper)
            .WithMessages(
                "Dapper's commandTimeout is infinite (0), so a blocked query can wait forever",
                "Dapper's commandTimeout is infinite (0), so a blocked query can wait forever")
            .RunAsync();

    [Fact]
    public Task Infinite_wait_timeouts_without_a_live_token_are_reported()
        => Analyzer("""
            using System.Threading;
            using System.Threading.Tasks;

            class Worker
            {
                void Run(SemaphoreSlim semaphore, WaitHandle handle, Task task, object gate, System.Diagnostics.Process process)
                {
                    process.WaitForExit([|Timeout.Infinite|]);
                    semaphore.Wait([|Timeout.Infinite|]);
                    semaphore.Wait([|Timeout.Infinite|], CancellationToken.None);
                    handle.WaitOne([|Timeout.InfiniteTimeSpan|]);
                    task.Wait([|-1|]);
                    Monitor.Wait(gate, [|Timeout.Infinite|]);
                    _ = Task.Delay([|Timeout.Infinite|]);
                }
            }
            """)
            .WithMessages(
                "The timeout of Process.WaitForExit is infinite (Timeout.Infinite), so with no CancellationToken the wait can last forever",
                "The timeout of SemaphoreSlim.Wait is infinite (Timeout.Infinite), so with no CancellationToken the wait can last forever",
                "The timeout of SemaphoreSlim.Wait is infinite (Timeout.Infinite), so with no CancellationToken the wait can last forever",
                "The timeout of WaitHandle.WaitOne is infinite (Timeout.InfiniteTimeSpan), so with no CancellationToken the wait can last forever",
                "The timeout of Task.Wait is infinite (-1), so with no CancellationToken the wait can last forever",
                "The timeout of Monitor.Wait is infinite (Timeout.Infinite), so with no CancellationToken the wait can last forever",
                "The timeout of Task.Delay is infinite (Timeout.Infinite), so with no CancellationToken the delay never ends")
            .RunAsync();

    // ---- Near misses -------------------------------------------------------------------------

    [Fact]
    public Task Waits_that_a_token_ends_are_silent()
        => Analyzer("""
            using System.Threading;
            using System.Threading.Tasks;

            class Worker
            {
                async Task RunAsync(SemaphoreSlim semaphore, CancellationToken token)
                {
                    await Task.Delay(Timeout.Infinite, token);
                    semaphore.Wait(Timeout.Infinite, token);
                    await semaphore.WaitAsync(Timeout.InfiniteTimeSpan, token);
                }
            }
            """).RunAsync();

    [Fact]
    public Task Infinite_waits_whose_tasks_are_then_waited_with_a_token_are_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class Relay
            {
                public Task<bool> WaitIdleAsync(int timeoutMilliseconds) => Task.FromResult(true);
            }

            class Switchboard
            {
                void Drain(IReadOnlyList<Relay> relays, CancellationToken shutdown)
                {
                    var idle = new Task[relays.Count];
                    for (var i = 0; i < relays.Count; i++)
                    {
                        idle[i] = relays[i].WaitIdleAsync(Timeout.Infinite);
                    }

                    Task.WaitAll(idle, shutdown);
                }
            }
            """).RunAsync();

    [Fact]
    public Task The_component_s_own_synchronization_and_its_Dispose_waiting_for_itself_are_silent()
        => Analyzer("""
            using System;
            using System.Threading;

            class Collector : IDisposable
            {
                private readonly ManualResetEventSlim _stopped = new();
                private readonly SemaphoreSlim _gate = new(1, 1);

                public bool WaitForStop(TimeSpan timeout) => _stopped.Wait(timeout);

                public void Add()
                {
                    _gate.Wait(Timeout.Infinite);
                    _gate.Release();
                }

                public void Dispose()
                {
                    _stopped.Set();
                    WaitForStop(Timeout.InfiniteTimeSpan);
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_command_timeout_of_zero_in_an_installer_or_migration_is_silent()
        => Analyzer("""
            using System.Data.Common;
            using Dapper;

            static class LedgerSchemaInstaller
            {
                public static void Install(DbConnection connection) => connection.Execute("create table ledger (id int)", commandTimeout: 0);
            }

            class Upgrades
            {
                void MigrateToV2(DbCommand command) => command.CommandTimeout = 0;
            }
            """)
            .WithLibraries(Library.Dapper)
            .RunAsync();

    [Fact]
    public Task Finite_timeouts_are_silent()
        => Analyzer("""
            using System;
            using System.Data.Common;
            using System.Net.Http;
            using System.Threading;
            using Dapper;

            class Client
            {
                void Configure(HttpClient http, DbCommand command, DbConnection connection, SemaphoreSlim semaphore)
                {
                    http.Timeout = TimeSpan.FromSeconds(30);
                    command.CommandTimeout = 30;
                    connection.Query<int>("select 1", commandTimeout: 30);
                    connection.Query<int>("select 1", commandTimeout: null);
                    semaphore.Wait(5_000);
                }
            }
            """)
            .WithLibraries(Library.Dapper)
            .RunAsync();

    [Fact]
    public Task Sleeping_forever_timers_CancelAfter_and_unrelated_Timeout_properties_are_silent()
        => Analyzer("""
            using System;
            using System.Threading;

            class Settings
            {
                public TimeSpan Timeout { get; set; }

                public int CommandTimeout { get; set; }
            }

            class Host
            {
                void Run(CancellationTokenSource cts, Settings settings)
                {
                    cts.CancelAfter(Timeout.Infinite);
                    using var timer = new Timer(_ => { }, null, Timeout.Infinite, Timeout.Infinite);
                    timer.Change(Timeout.Infinite, Timeout.Infinite);
                    settings.Timeout = Timeout.InfiniteTimeSpan;
                    settings.CommandTimeout = 0;
                    Thread.Sleep(Timeout.Infinite);
                }
            }
            """).RunAsync();

    // ---- Fixes ---------------------------------------------------------------------------------

    [Fact]
    public Task The_fix_writes_100_seconds_for_HTTP_and_300_for_commands_in_the_unit_each_API_takes()
        => Fix()
            .WithLibraries(Library.Dapper)
            .WithSource("""
                using System;
                using System.Data.Common;
                using System.Net.Http;
                using System.Threading;
                using Dapper;

                class Client
                {
                    HttpClient Create() => new HttpClient { [|Timeout = Timeout.InfiniteTimeSpan|] };

                    void Configure(DbCommand command, DbConnection connection)
                    {
                        [|command.CommandTimeout = 0|];
                        connection.Execute("delete from staging", [|commandTimeout: 0|]);
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Data.Common;
                using System.Net.Http;
                using System.Threading;
                using Dapper;

                class Client
                {
                    HttpClient Create() => new HttpClient { Timeout = TimeSpan.FromSeconds(100) };

                    void Configure(DbCommand command, DbConnection connection)
                    {
                        command.CommandTimeout = 300;
                        connection.Execute("delete from staging", commandTimeout: 300);
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task A_discarded_wait_result_is_checked_and_a_used_one_is_left_to_its_caller()
        => Fix()
            .WithSource("""
                using System;
                using System.Threading;

                class Worker
                {
                    void Run(SemaphoreSlim semaphore, WaitHandle handle)
                    {
                        semaphore.Wait([|Timeout.Infinite|]);
                        if (handle.WaitOne([|Timeout.InfiniteTimeSpan|]))
                        {
                            Console.WriteLine("signalled");
                        }
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Threading;

                class Worker
                {
                    void Run(SemaphoreSlim semaphore, WaitHandle handle)
                    {
                        if (!semaphore.Wait(100_000))
                        {
                            throw new TimeoutException("SemaphoreSlim.Wait did not complete within 100 seconds.");
                        }

                        if (handle.WaitOne(TimeSpan.FromSeconds(100)))
                        {
                            Console.WriteLine("signalled");
                        }
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_fix_writes_a_qualified_TimeSpan_when_System_is_not_imported()
        => Fix()
            .WithSource("""
                class Client
                {
                    void Configure(System.Net.Http.HttpClient http)
                    {
                        [|http.Timeout = System.Threading.Timeout.InfiniteTimeSpan|];
                    }
                }
                """)
            .WithFixedSource("""
                class Client
                {
                    void Configure(System.Net.Http.HttpClient http)
                    {
                        http.Timeout = System.TimeSpan.FromSeconds(100);
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task No_fix_for_an_infinite_delay()
        => Fix()
            .WithSource("""
                using System.Threading;
                using System.Threading.Tasks;

                class Host
                {
                    Task Park() => Task.Delay([|Timeout.Infinite|]);
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task No_fix_for_a_wait_whose_result_is_discarded_where_no_check_can_be_added()
        => Fix()
            .WithSource("""
                using System;
                using System.Threading;

                class Worker
                {
                    Action Enter(SemaphoreSlim semaphore) => () => semaphore.Wait([|Timeout.Infinite|]);
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    // ---- Unusual shapes ---------------------------------------------------------------------------

    [Fact]
    public Task No_fix_for_a_wait_reached_through_a_conditional_access_whose_result_is_discarded()
        => Fix()
            .WithSource("""
                using System.Threading;

                class Holder
                {
                    public SemaphoreSlim? Gate { get; set; }
                }

                class Worker
                {
                    void Run(SemaphoreSlim? semaphore, Holder? holder)
                    {
                        semaphore?.Wait([|Timeout.Infinite|]);
                        holder?.Gate?.Wait([|Timeout.InfiniteTimeSpan|]);
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task An_awaited_WaitAsync_whose_result_is_discarded_is_checked()
        => Fix()
            .WithSource("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                class Worker
                {
                    async Task RunAsync(SemaphoreSlim semaphore)
                    {
                        await semaphore.WaitAsync([|Timeout.Infinite|]);
                        await semaphore.WaitAsync([|Timeout.InfiniteTimeSpan|]).ConfigureAwait(false);
                        var entered = await semaphore.WaitAsync([|Timeout.Infinite|]);
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                class Worker
                {
                    async Task RunAsync(SemaphoreSlim semaphore)
                    {
                        if (!await semaphore.WaitAsync(100_000))
                        {
                            throw new TimeoutException("SemaphoreSlim.WaitAsync did not complete within 100 seconds.");
                        }

                        if (!await semaphore.WaitAsync(TimeSpan.FromSeconds(100)).ConfigureAwait(false))
                        {
                            throw new TimeoutException("SemaphoreSlim.WaitAsync did not complete within 100 seconds.");
                        }

                        var entered = await semaphore.WaitAsync(100_000);
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task No_fix_for_an_awaited_WaitAsync_whose_result_is_discarded_in_an_expression_body()
        => Fix()
            .WithSource("""
                using System.Threading;
                using System.Threading.Tasks;

                class Worker
                {
                    async Task EnterAsync(SemaphoreSlim semaphore) => await semaphore.WaitAsync([|Timeout.Infinite|]);
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    // ---- Options -------------------------------------------------------------------------------

    [Fact]
    public Task setup_names_replaces_the_name_patterns_of_setup_code()
        => Analyzer("""
            using System.Data.Common;

            class Upgrades
            {
                void MigrateToV2(DbCommand command) => [|command.CommandTimeout = 0|];

                void Rebuild(DbCommand command) => command.CommandTimeout = 0;
            }
            """)
            .WithEditorConfig("sluice.SLU301.setup_names = Rebuild")
            .RunAsync();


    private const string HttpAndCommand = """
        using System.Data.Common;
        using System.Net.Http;
        using System.Threading;

        class Client
        {
            void Configure(HttpClient http, DbCommand command)
            {
                [|http.Timeout = Timeout.InfiniteTimeSpan|];
                [|command.CommandTimeout = 0|];
            }
        }
        """;

    [Fact]
    public Task default_timeout_seconds_sets_every_kind()
        => Fix()
            .WithEditorConfig("sluice.SLU301.default_timeout_seconds = 30")
            .WithSource(HttpAndCommand)
            .WithFixedSource(HttpAndCommand.Replace("[|", "").Replace("|]", "")
                .Replace("Timeout.InfiniteTimeSpan", "System.TimeSpan.FromSeconds(30)").Replace("CommandTimeout = 0", "CommandTimeout = 30"))
            .RunAsync();

    [Fact]
    public Task A_kind_option_wins_over_default_timeout_seconds_and_an_invalid_value_is_ignored()
        => Fix()
            .WithEditorConfig(
                "sluice.SLU301.default_timeout_seconds = 30",
                "sluice.SLU301.http_timeout_seconds = 10",
                "sluice.SLU301.command_timeout_seconds = -5")
            .WithSource(HttpAndCommand)
            .WithFixedSource(HttpAndCommand.Replace("[|", "").Replace("|]", "")
                .Replace("Timeout.InfiniteTimeSpan", "System.TimeSpan.FromSeconds(10)").Replace("CommandTimeout = 0", "CommandTimeout = 30"))
            .RunAsync();

    [Fact]
    public Task wait_timeout_seconds_sets_waits()
        => Fix()
            .WithEditorConfig("sluice.SLU301.wait_timeout_seconds = 5", "sluice.SLU301.command_timeout_seconds = 60")
            .WithSource("""
                using System.Threading.Tasks;

                class Worker
                {
                    bool Run(Task task) => task.Wait([|-1|]);
                }
                """)
            .WithFixedSource("""
                using System.Threading.Tasks;

                class Worker
                {
                    bool Run(Task task) => task.Wait(5_000);
                }
                """)
            .RunAsync();
}
