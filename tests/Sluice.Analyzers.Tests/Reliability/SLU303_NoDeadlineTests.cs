using Sluice.Analyzers.Reliability;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Reliability;

namespace Sluice.Analyzers.Tests.Reliability;

public class SLU303_NoDeadlineTests
{
    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<NoDeadlineAnalyzer>().WithSource(source);

    /// <summary>The shape of Microsoft.Data.Sqlite's connection, declared here (the package is not referenced by the tests).</summary>
    internal const string SqliteStub = """
        using System.Data;
        using System.Data.Common;
        using System.Threading.Tasks;

        namespace Microsoft.Data.Sqlite
        {
            public class SqliteConnection : DbConnection
            {
        #pragma warning disable CS8764, CS8765
                public override string ConnectionString { get; set; } = "";
        #pragma warning restore CS8764, CS8765
                public override string Database => "main";
                public override string DataSource => "local.db";
                public override string ServerVersion => "3";
                public override ConnectionState State => ConnectionState.Closed;
                public override void ChangeDatabase(string databaseName) { }
                public override void Close() { }
                public override void Open() { }
                protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => throw new System.NotSupportedException();
                protected override DbCommand CreateDbCommand() => throw new System.NotSupportedException();
            }
        }
        """;

    private static RuleTest Fix()
        => Verify.CodeFix<NoDeadlineAnalyzer, NoDeadlineCodeFix>(NoDeadlineCodeFix.DeadlineKey);

    // ---- Positives -----------------------------------------------------------------------------

    [Fact]
    public Task HttpClient_calls_without_a_token_in_a_member_with_none_are_reported()
        => Analyzer("""
            using System.Net.Http;
            using System.Threading.Tasks;

            class Client
            {
                private readonly HttpClient _http = new();

                async Task<string> FetchAsync(string url)
                {
                    var response = await [|_http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead)|];
                    return await [|response.Content.ReadAsStringAsync()|];
                }
            }
            """)
            .WithMessages(
                "HttpClient.GetAsync gets no CancellationToken: 'FetchAsync' has none to pass and sets no deadline, so a shutdown cannot stop it and only HttpClient.Timeout (100 s unless configured otherwise) bounds how long it waits",
                "HttpContent.ReadAsStringAsync gets no CancellationToken: 'FetchAsync' has none to pass and sets no deadline, so a shutdown cannot stop it and HttpClient.Timeout does not cover reading a body received unbuffered, so nothing bounds how long it waits")
            .RunAsync();

    [Fact]
    public Task ADO_NET_and_Npgsql_calls_are_reported_including_an_explicit_None()
        => Analyzer("""
            using System.Threading;
            using System.Threading.Tasks;
            using Npgsql;

            class Repository
            {
                async Task<long> CountAsync(NpgsqlDataSource source)
                {
                    await using var connection = source.CreateConnection();
                    await [|connection.OpenAsync()|];
                    await using var command = new NpgsqlCommand("select count(*) from orders", connection);
                    return (long)(await [|command.ExecuteScalarAsync(CancellationToken.None)|])!;
                }
            }
            """)
            .WithLibraries(Library.Npgsql)
            .RunAsync();

    [Fact]
    public Task EF_Core_async_queries_and_SaveChanges_are_reported()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Order
            {
                public int Id { get; set; }
            }

            class Shop : DbContext
            {
                public DbSet<Order> Orders => Set<Order>();
            }

            class Import
            {
                async Task<List<Order>> RunAsync(Shop db)
                {
                    db.Orders.Add(new Order());
                    await [|db.SaveChangesAsync()|];
                    return await [|db.Orders.Where(o => o.Id > 10).Take(100).ToListAsync()|];
                }
            }
            """)
            .WithLibraries(Library.EntityFrameworkCore)
            .RunAsync();

    [Fact]
    public Task The_message_says_what_still_bounds_a_database_call()
        => Analyzer("""
            using System.Data.Common;
            using System.Threading.Tasks;

            class Ledger
            {
                async Task<object?> TotalAsync(DbCommand command) => await [|command.ExecuteScalarAsync()|];
            }
            """)
            .WithMessages("DbCommand.ExecuteScalarAsync gets no CancellationToken: 'TotalAsync' has none to pass and sets no deadline, so a shutdown cannot stop it and only the provider's command or connection timeout bounds how long it waits")
            .RunAsync();

    [Fact]
    public Task A_token_reachable_through_a_context_parameter_is_named_in_the_message()
        => Analyzer("""
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            interface IShipmentContext
            {
                CancellationToken Aborted { get; }
            }

            class ShipmentHandler(HttpClient carrier)
            {
                async Task<string> Handle(IShipmentContext context, string trackingUrl)
                    => await [|carrier.GetStringAsync(trackingUrl)|];
            }
            """)
            .WithMessages("HttpClient.GetStringAsync gets no CancellationToken: 'Handle' can reach 'context.Aborted' but does not pass it, so cancelling that token does not stop the call")
            .RunAsync();

    [Fact]
    public Task A_token_inherited_from_a_base_class_is_named_in_the_message()
        => Analyzer("""
            using System.Data.Common;
            using System.Threading;
            using System.Threading.Tasks;

            abstract class Step
            {
                protected CancellationToken Halted { get; init; }
            }

            class ArchiveStep : Step
            {
                async Task<int> RunAsync(DbCommand archive) => await [|archive.ExecuteNonQueryAsync()|];
            }
            """)
            .WithMessages("DbCommand.ExecuteNonQueryAsync gets no CancellationToken: 'RunAsync' can reach 'Halted' but does not pass it, so cancelling that token does not stop the call")
            .RunAsync();

    [Fact]
    public Task A_token_of_a_context_held_by_the_type_is_named_in_the_message()
        => Analyzer("""
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            class RequestScope
            {
                public CancellationToken RequestAborted { get; set; }
            }

            class PriceController(HttpClient quotes)
            {
                public RequestScope Scope { get; } = new();

                async Task<string> Quote(string symbol) => await [|quotes.GetStringAsync(symbol)|];
            }
            """)
            .WithMessages("HttpClient.GetStringAsync gets no CancellationToken: 'Quote' can reach 'Scope.RequestAborted' but does not pass it, so cancelling that token does not stop the call")
            .RunAsync();

    [Fact]
    public Task A_body_read_after_a_streamed_response_is_reported()
        => Analyzer("""
            using System.IO;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            class Downloader(HttpClient http, HttpMessageInvoker invoker)
            {
                async Task<Stream> OpenAsync(HttpRequestMessage request)
                {
                    using var response = await [|http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead)|];
                    return await [|response.Content.ReadAsStreamAsync()|];
                }

                async Task<string> RelayAsync(HttpRequestMessage request)
                {
                    var response = await [|invoker.SendAsync(request, CancellationToken.None)|];
                    return await [|response.Content.ReadAsStringAsync()|];
                }
            }
            """).RunAsync();

    [Fact]
    public Task Calls_on_a_SQLite_connection_are_reported_when_skip_embedded_databases_is_off()
        => Analyzer(SqliteStub + """

            class LocalCache
            {
                async Task WarmAsync(Microsoft.Data.Sqlite.SqliteConnection connection) => await [|connection.OpenAsync()|];
            }
            """)
            .WithEditorConfig("sluice.SLU303.skip_embedded_databases = false")
            .RunAsync();

    [Fact]
    public Task Database_calls_are_reported_when_a_network_provider_is_referenced_beside_SQLite()
        => Analyzer(SqliteStub + """

            class Orders
            {
                async Task<object?> CountAsync(System.Data.Common.DbCommand command) => await [|command.ExecuteScalarAsync()|];
            }
            """)
            .WithLibraries(Library.Npgsql)
            .RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Fact]
    public Task A_member_with_a_token_in_scope_is_left_to_CA2016()
        => Analyzer("""
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            class Client(HttpClient http)
            {
                Task<string> WithParameter(string url, CancellationToken token) => http.GetStringAsync(url);

                async Task<string> InLambda(string url)
                {
                    System.Func<CancellationToken, Task<string>> fetch = ct => http.GetStringAsync(url);
                    return await fetch(default);
                }
            }

            class Worker(HttpClient http)
            {
                private readonly CancellationToken _stopping;

                Task<string> WithField(string url) => http.GetStringAsync(url);
            }
            """).RunAsync();

    [Fact]
    public Task A_member_that_applies_a_timeout_is_silent()
        => Analyzer("""
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;
            using Polly;

            class Client(HttpClient http, ResiliencePipeline pipeline)
            {
                async Task<string> WithWaitAsync(string url) => await http.GetStringAsync(url).WaitAsync(TimeSpan.FromSeconds(10));

                async Task<string> WithPolly(string url) => await pipeline.ExecuteAsync(async _ => await http.GetStringAsync(url));

                async Task<string> WithSource(string url)
                {
                    using var source = new System.Threading.CancellationTokenSource();
                    source.CancelAfter(TimeSpan.FromSeconds(10));
                    return await http.GetStringAsync(url);
                }
            }
            """)
            .WithLibraries(Library.Polly)
            .RunAsync();

    [Fact]
    public Task A_member_that_sets_EF_Core_s_command_timeout_is_silent()
        => Analyzer("""
            using System;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Archive : DbContext
            {
            }

            class Compaction
            {
                async Task<int> RunAsync(Archive archive)
                {
                    archive.Database.SetCommandTimeout(TimeSpan.FromMinutes(2));
                    return await archive.Database.ExecuteSqlRawAsync("delete from snapshots where expired");
                }
            }
            """)
            .WithLibraries(Library.EntityFrameworkCore)
            .RunAsync();

    [Fact]
    public Task Calls_that_pass_a_token_from_elsewhere_and_calls_with_no_token_overload_are_silent()
        => Analyzer("""
            using System.Data.Common;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            class Job
            {
                public CancellationToken Token { get; init; }
            }

            class Client(HttpClient http)
            {
                async Task<string> RunAsync(string url, Job job, DbConnection connection)
                {
                    var body = await http.GetStringAsync(url, job.Token);
                    await connection.CloseAsync();
                    await connection.DisposeAsync();
                    return body;
                }
            }
            """).RunAsync();

    [Fact]
    public Task EF_Core_AddAsync_row_accessors_and_UseTransactionAsync_do_no_io_and_are_silent()
        => Analyzer("""
            using System.Data.Common;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Parcel
            {
                public int Id { get; set; }
            }

            class Depot : DbContext
            {
                public DbSet<Parcel> Parcels => Set<Parcel>();
            }

            class Intake
            {
                async Task TrackAsync(Depot depot, Parcel parcel, Parcel[] more, DbDataReader reader, DbTransaction open)
                {
                    await depot.Parcels.AddAsync(parcel);
                    await depot.AddRangeAsync(more);
                    var missing = await reader.IsDBNullAsync(0);
                    var weight = await reader.GetFieldValueAsync<int>(1);
                    await depot.Database.UseTransactionAsync(open);
                }
            }
            """)
            .WithLibraries(Library.EntityFrameworkCore)
            .RunAsync();

    [Fact]
    public Task Reading_a_body_already_buffered_or_built_in_memory_is_silent()
        => Analyzer("""
            using System.Net.Http;
            using System.Net.Http.Json;
            using System.Threading.Tasks;

            class Forecasts(HttpClient http)
            {
                async Task<string> TodayAsync(string url)
                {
                    var response = (await [|http.GetAsync(url)|]).EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                }

                async Task<string> WeekAsync(string url)
                {
                    using var response = await [|http.GetAsync(url, HttpCompletionOption.ResponseContentRead)|];
                    return await response.Content.ReadAsStringAsync();
                }

                async Task<byte[]> EchoAsync()
                {
                    var body = new StringContent("{}");
                    var json = await JsonContent.Create(new { City = "Oslo" }).ReadAsStringAsync();
                    return await body.ReadAsByteArrayAsync();
                }

                // Out of sight: almost always a buffered response, or content a helper built in memory.
                async Task<string> HandedInAsync(HttpResponseMessage response, HttpContent content)
                    => await response.Content.ReadAsStringAsync() + await content.ReadAsStringAsync();
            }
            """).RunAsync();

    [Fact]
    public Task Requests_whose_client_a_token_cancels_or_whose_client_or_command_sets_a_timeout_are_silent()
        => Analyzer("""
            using System;
            using System.Data.Common;
            using System.Net.Http;
            using System.Threading.Tasks;

            class Telemetry
            {
                private readonly HttpClient _sink;

                public Telemetry() => _sink = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

                async Task SendAsync(HttpContent batch) => await _sink.PostAsync("ingest", batch);
            }

            class RunContext
            {
                public System.Threading.CancellationToken Token { get; init; }
            }

            abstract class Transfer
            {
                public required HttpClient Client { get; init; }

                public required RunContext Context { get; init; }

                async Task<string> FetchAsync(string url)
                {
                    using (Context.Token.Register(Client.CancelPendingRequests))
                    {
                        return await Client.GetStringAsync(url);
                    }
                }
            }

            class Purge
            {
                async Task<int> RunAsync(DbConnection connection)
                {
                    using var command = connection.CreateCommand();
                    command.CommandTimeout = 60;
                    command.CommandText = "delete from expired";
                    return await command.ExecuteNonQueryAsync();
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_command_handed_in_or_held_whose_CommandTimeout_the_member_sets_before_the_call_is_silent()
        => Analyzer("""
            using System.Data.Common;
            using System.Threading.Tasks;

            class Purge
            {
                private readonly DbCommand _vacuum;

                public Purge(DbCommand vacuum) => _vacuum = vacuum;

                async Task<int> RunAsync(DbCommand command)
                {
                    command.CommandTimeout = 60;
                    _vacuum.CommandTimeout = 600;
                    await using var reader = await command.ExecuteReaderAsync();
                    while (await reader.ReadAsync())
                    {
                    }

                    return await _vacuum.ExecuteNonQueryAsync();
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_CommandTimeout_set_after_the_call_or_to_zero_bounds_nothing()
        => Analyzer("""
            using System.Data.Common;
            using System.Threading.Tasks;

            class Purge
            {
                async Task<int> RunAsync(DbCommand command, DbCommand unbounded)
                {
                    var deleted = await [|command.ExecuteNonQueryAsync()|];
                    command.CommandTimeout = 60;
                    unbounded.CommandTimeout = 0;
                    return deleted + await [|unbounded.ExecuteNonQueryAsync()|];
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_rollback_in_a_catch_or_finally_is_silent()
        => Analyzer("""
            using System;
            using System.Data.Common;
            using System.Threading.Tasks;

            class Transfers
            {
                async Task MoveAsync(DbTransaction transaction, DbCommand debit)
                {
                    try
                    {
                        await [|debit.ExecuteNonQueryAsync()|];
                        await [|transaction.CommitAsync()|];
                    }
                    catch (Exception)
                    {
                        await transaction.RollbackAsync();
                        throw;
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Seeding_migrations_and_unreachable_calls_are_silent()
        => Analyzer("""
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Warehouse : DbContext
            {
            }

            class WarehouseSeed
            {
                async Task FillAsync(Warehouse db) => await db.SaveChangesAsync();
            }

            static class Startup
            {
                static async Task SeedBinsAsync(Warehouse db) => await db.SaveChangesAsync();

                static async Task UpgradeAsync(Warehouse db) => await db.Database.MigrateAsync();
            }

            class Legacy
            {
                HttpClient Sign(HttpClient client)
                {
                    throw new NotSupportedException("not finished");
            #pragma warning disable CS0162
                    var challenge = client.GetAsync("challenge").Result;
                    return client;
            #pragma warning restore CS0162
                }
            }
            """)
            .WithLibraries(Library.EntityFrameworkCore)
            .RunAsync();

    [Fact]
    public Task Calls_to_an_embedded_SQLite_database_are_silent()
        => Analyzer(SqliteStub + """

            class Playlists
            {
                async Task OpenAsync(Microsoft.Data.Sqlite.SqliteConnection connection) => await connection.OpenAsync();

                // The project references SQLite and no network provider: every connection is a local file.
                async Task<object?> CountAsync(System.Data.Common.DbCommand command) => await command.ExecuteScalarAsync();
            }
            """).RunAsync();

    [Fact]
    public Task Nothing_is_reported_when_no_network_or_database_call_is_made()
        => Analyzer("""
            using System.Threading.Tasks;

            class Job
            {
                async Task RunAsync() => await Task.Yield();
            }
            """).RunAsync();

    // ---- Options -------------------------------------------------------------------------------

    [Fact]
    public Task setup_names_replaces_the_name_patterns_of_setup_code()
        => Analyzer("""
            using System.Data.Common;
            using System.Threading.Tasks;

            class CatalogSeed
            {
                async Task FillAsync(DbCommand insert) => await [|insert.ExecuteNonQueryAsync()|];
            }

            class Bootstrap
            {
                async Task PrimeAsync(DbCommand insert) => await insert.ExecuteNonQueryAsync();
            }
            """)
            .WithEditorConfig("sluice.SLU303.setup_names = Bootstrap")
            .RunAsync();

    // ---- Dapper ---------------------------------------------------------------------------------

    [Fact]
    public Task Dapper_async_calls_without_a_token_in_their_CommandDefinition_are_reported()
        => Analyzer("""
            using System.Data.Common;
            using System.Threading;
            using System.Threading.Tasks;
            using Dapper;

            record Order(int Id);

            class Orders
            {
                async Task<int> ArchiveAsync(DbConnection connection, int id)
                {
                    var orders = await [|connection.QueryAsync<Order>("select id from orders")|];
                    var first = await [|connection.QueryFirstOrDefaultAsync<Order>(new CommandDefinition("select id from orders where id = @id", new { id }))|];
                    var copied = await [|SqlMapper.ExecuteAsync(connection, "insert into archive select * from orders", commandTimeout: 0)|];
                    return copied + await [|connection.ExecuteAsync(new CommandDefinition("delete from orders", cancellationToken: CancellationToken.None))|];
                }
            }
            """)
            .WithLibraries(Library.Dapper)
            .WithMessages(
                "SqlMapper.QueryAsync gets no CancellationToken: 'ArchiveAsync' has none to pass and sets no deadline, so a shutdown cannot stop it and only the provider's command or connection timeout bounds how long it waits",
                "SqlMapper.QueryFirstOrDefaultAsync gets no CancellationToken: 'ArchiveAsync' has none to pass and sets no deadline, so a shutdown cannot stop it and only the provider's command or connection timeout bounds how long it waits",
                "SqlMapper.ExecuteAsync gets no CancellationToken: 'ArchiveAsync' has none to pass and sets no deadline, so a shutdown cannot stop it and only the provider's command or connection timeout bounds how long it waits",
                "SqlMapper.ExecuteAsync gets no CancellationToken: 'ArchiveAsync' has none to pass and sets no deadline, so a shutdown cannot stop it and only the provider's command or connection timeout bounds how long it waits")
            .RunAsync();

    [Fact]
    public Task Dapper_calls_with_a_token_or_a_command_timeout_and_sync_calls_are_silent()
        => Analyzer("""
            using System.Data.Common;
            using System.Threading;
            using System.Threading.Tasks;
            using Dapper;

            record Order(int Id);

            class Job
            {
                public CancellationToken Token { get; init; }
            }

            class Orders
            {
                async Task<int> ArchiveAsync(DbConnection connection, Job job, CommandDefinition handedIn, int? timeout)
                {
                    var orders = await connection.QueryAsync<Order>(new CommandDefinition("select id from orders", cancellationToken: job.Token));
                    var more = await connection.QueryAsync<Order>(handedIn);
                    var copied = await connection.ExecuteAsync("insert into archive select * from orders", commandTimeout: 30);
                    copied += await connection.ExecuteAsync(new CommandDefinition("delete from archive where old", commandTimeout: 120));
                    copied += await connection.ExecuteAsync("delete from staging", commandTimeout: timeout);
                    return copied + connection.Execute("delete from orders");
                }
            }
            """)
            .WithLibraries(Library.Dapper)
            .RunAsync();

    [Fact]
    public Task The_fix_moves_a_Dapper_call_s_arguments_into_a_CommandDefinition_with_the_deadline_s_token()
        => Fix()
            .WithLibraries(Library.Dapper)
            .WithSource("""
                using System.Data.Common;
                using System.Threading;
                using System.Threading.Tasks;
                using Dapper;

                record Order(int Id);

                class Orders
                {
                    async Task<int> ArchiveAsync(DbConnection connection, DbTransaction transaction, int id)
                    {
                        var orders = await [|connection.QueryAsync<Order>("select id from orders where id = @id", new { id }, transaction)|];
                        return await [|connection.ExecuteAsync(new CommandDefinition("delete from orders", cancellationToken: CancellationToken.None))|];
                    }

                    async Task<int> CountAsync(DbConnection connection)
                        => await [|connection.ExecuteScalarAsync<int>(new CommandDefinition("select count(*) from orders"))|];

                    async Task PurgeAsync(DbConnection connection)
                    {
                        await [|connection.ExecuteAsync(new CommandDefinition("delete from archive"))|];
                    }
                }
                """)
            .WithFixedSource("""
                using System.Data.Common;
                using System.Threading;
                using System.Threading.Tasks;
                using Dapper;

                record Order(int Id);

                class Orders
                {
                    async Task<int> ArchiveAsync(DbConnection connection, DbTransaction transaction, int id)
                    {
                        using var deadline = new CancellationTokenSource(System.TimeSpan.FromSeconds(100));
                        var orders = await connection.QueryAsync<Order>(new CommandDefinition("select id from orders where id = @id", parameters: new { id }, transaction: transaction, cancellationToken: deadline.Token));
                        return await connection.ExecuteAsync(new CommandDefinition("delete from orders", cancellationToken: deadline.Token));
                    }

                    async Task<int> CountAsync(DbConnection connection)
                        => await {|SLU303:connection.ExecuteScalarAsync<int>(new CommandDefinition("select count(*) from orders"))|};

                    async Task PurgeAsync(DbConnection connection)
                    {
                        using var deadline = new CancellationTokenSource(System.TimeSpan.FromSeconds(100));
                        await connection.ExecuteAsync(new CommandDefinition("delete from archive", cancellationToken: deadline.Token));
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task No_fix_for_a_Dapper_call_whose_CommandDefinition_is_made_elsewhere_or_that_maps_several_types()
        => Fix()
            .WithLibraries(Library.Dapper)
            .WithSource("""
                using System.Data.Common;
                using System.Threading.Tasks;
                using Dapper;

                record Order(int Id);

                record Line(int OrderId);

                class Orders
                {
                    async Task<int> PurgeAsync(DbConnection connection)
                    {
                        var purge = new CommandDefinition("delete from archive");
                        return await [|connection.ExecuteAsync(purge)|];
                    }

                    async Task<int> LinesAsync(DbConnection connection)
                    {
                        var orders = await [|connection.QueryAsync<Order, Line, Order>("select * from orders join lines", (order, line) => order, splitOn: "OrderId")|];
                        return 0;
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    // ---- Fixes ---------------------------------------------------------------------------------

    [Fact]
    public Task The_fix_gives_the_method_one_deadline_and_passes_its_token_to_every_call()
        => Fix()
            .WithSource("""
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                class Client
                {
                    private readonly HttpClient _http = new();

                    async Task<string> FetchAsync(string url)
                    {
                        var response = await [|_http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead)|];
                        var body = await [|response.Content.ReadAsStringAsync(CancellationToken.None)|];
                        return body;
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                class Client
                {
                    private readonly HttpClient _http = new();

                    async Task<string> FetchAsync(string url)
                    {
                        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(100));
                        var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                        var body = await response.Content.ReadAsStringAsync(deadline.Token);
                        return body;
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_fix_passes_an_optional_token_by_name_and_fixes_all_methods()
        => Fix()
            .WithLibraries(Library.EntityFrameworkCore)
            .WithEditorConfig("sluice.SLU303.deadline_seconds = 30")
            .WithSource("""
                using System.Linq;
                using System.Threading.Tasks;
                using Microsoft.EntityFrameworkCore;

                class Order
                {
                    public int Id { get; set; }
                }

                class Shop : DbContext
                {
                    public DbSet<Order> Orders => Set<Order>();
                }

                class Import
                {
                    async Task SaveAsync(Shop db)
                    {
                        var deadline = 1;
                        await [|db.SaveChangesAsync()|];
                    }

                    async Task<int> CountAsync(Shop db)
                    {
                        return await [|db.Orders.CountAsync()|];
                    }
                }
                """)
            .WithFixedSource("""
                using System.Linq;
                using System.Threading.Tasks;
                using Microsoft.EntityFrameworkCore;

                class Order
                {
                    public int Id { get; set; }
                }

                class Shop : DbContext
                {
                    public DbSet<Order> Orders => Set<Order>();
                }

                class Import
                {
                    async Task SaveAsync(Shop db)
                    {
                        using var deadline2 = new System.Threading.CancellationTokenSource(System.TimeSpan.FromSeconds(30));
                        var deadline = 1;
                        await db.SaveChangesAsync(cancellationToken: deadline2.Token);
                    }

                    async Task<int> CountAsync(Shop db)
                    {
                        using var deadline = new System.Threading.CancellationTokenSource(System.TimeSpan.FromSeconds(30));
                        return await db.Orders.CountAsync(cancellationToken: deadline.Token);
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task No_fix_for_a_method_that_returns_the_task_without_awaiting_or_calls_from_a_lambda()
        => Fix()
            .WithSource("""
                using System;
                using System.Net.Http;
                using System.Threading.Tasks;

                class Client(HttpClient http)
                {
                    Task<string> Fetch(string url)
                    {
                        return [|http.GetStringAsync(url)|];
                    }

                    async Task<string> Later(string url)
                    {
                        Func<Task<string>> fetch = () => [|http.GetStringAsync(url)|];
                        return await fetch();
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task The_first_fix_passes_the_token_the_member_can_reach()
        => Verify.CodeFix<NoDeadlineAnalyzer, NoDeadlineCodeFix>(NoDeadlineCodeFix.ReachableTokenKey)
            .WithSource("""
                using System.Data.Common;
                using System.Threading;
                using System.Threading.Tasks;

                interface IBatchContext
                {
                    CancellationToken CancellationToken { get; }
                }

                class Loader
                {
                    async Task LoadAsync(IBatchContext batch, DbCommand insert, DbConnection connection)
                    {
                        await [|connection.OpenAsync()|];
                        await [|insert.ExecuteNonQueryAsync()|];
                    }
                }
                """)
            .WithFixedSource("""
                using System.Data.Common;
                using System.Threading;
                using System.Threading.Tasks;

                interface IBatchContext
                {
                    CancellationToken CancellationToken { get; }
                }

                class Loader
                {
                    async Task LoadAsync(IBatchContext batch, DbCommand insert, DbConnection connection)
                    {
                        await connection.OpenAsync(batch.CancellationToken);
                        await insert.ExecuteNonQueryAsync(batch.CancellationToken);
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_deadline_fix_leaves_silent_calls_alone()
        => Fix()
            .WithSource("""
                using System;
                using System.Data.Common;
                using System.Threading.Tasks;

                class Transfers
                {
                    async Task MoveAsync(DbTransaction transaction, DbCommand debit)
                    {
                        try
                        {
                            await [|debit.ExecuteNonQueryAsync()|];
                        }
                        catch (Exception)
                        {
                            await transaction.RollbackAsync();
                            throw;
                        }
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Data.Common;
                using System.Threading.Tasks;

                class Transfers
                {
                    async Task MoveAsync(DbTransaction transaction, DbCommand debit)
                    {
                        using var deadline = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(100));
                        try
                        {
                            await debit.ExecuteNonQueryAsync(deadline.Token);
                        }
                        catch (Exception)
                        {
                            await transaction.RollbackAsync();
                            throw;
                        }
                    }
                }
                """)
            .RunAsync();

    // ---- Runtime fix ---------------------------------------------------------------------------

    [Fact]
    public Task With_the_runtime_the_first_fix_bounds_each_call_with_WithTimeoutAsync_even_outside_async_code()
        => Verify.CodeFix<NoDeadlineAnalyzer, NoDeadlineCodeFix>()
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System;
                using System.Net.Http;
                using System.Threading.Tasks;
                using Sluice;

                class Client(HttpClient http)
                {
                    Task<string> Fetch(string url, int ct)
                    {
                        Func<Task<HttpResponseMessage>> head = () => [|http.GetAsync(url)|];
                        return [|http.GetStringAsync(url)|];
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Net.Http;
                using System.Threading.Tasks;
                using Sluice;

                class Client(HttpClient http)
                {
                    Task<string> Fetch(string url, int ct)
                    {
                        Func<Task<HttpResponseMessage>> head = () => SluiceResilience.WithTimeoutAsync(TimeSpan.FromSeconds(100), ct2 => http.GetAsync(url, ct2));
                        return SluiceResilience.WithTimeoutAsync(TimeSpan.FromSeconds(100), ct2 => http.GetStringAsync(url, ct2));
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_runtime_fix_is_not_offered_when_a_call_of_the_method_returns_a_ValueTask()
        => Verify.CodeFix<NoDeadlineAnalyzer, NoDeadlineCodeFix>(NoDeadlineCodeFix.WithTimeoutKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System.Data.Common;
                using System.Threading.Tasks;

                class Repository
                {
                    async Task Begin(DbConnection connection)
                    {
                        await [|connection.OpenAsync()|];
                        await using var transaction = await [|connection.BeginTransactionAsync()|];
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task The_runtime_fix_is_not_offered_without_the_runtime()
        => Verify.CodeFix<NoDeadlineAnalyzer, NoDeadlineCodeFix>(NoDeadlineCodeFix.WithTimeoutKey)
            .WithSource("""
                using System.Net.Http;
                using System.Threading.Tasks;

                class Client(HttpClient http)
                {
                    async Task<string> Fetch(string url) => await [|http.GetStringAsync(url)|];
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    // ---- Unusual shapes ---------------------------------------------------------------------------

    [Fact]
    public Task The_runtime_fix_is_not_offered_for_a_conditional_call_which_the_deadline_fix_handles()
        => Verify.CodeFix<NoDeadlineAnalyzer, NoDeadlineCodeFix>(NoDeadlineCodeFix.WithTimeoutKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System.Net.Http;
                using System.Threading.Tasks;

                class Client
                {
                    async Task<string?> Fetch(HttpClient? http) => await http?[|.GetStringAsync("u")|];
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task The_runtime_fix_is_not_offered_for_a_call_on_a_member_reached_through_a_conditional_access()
        => Verify.CodeFix<NoDeadlineAnalyzer, NoDeadlineCodeFix>(NoDeadlineCodeFix.WithTimeoutKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System.Net.Http;
                using System.Threading.Tasks;

                class Holder
                {
                    public HttpClient Http { get; } = new();
                }

                class Client
                {
                    async Task<string?> Fetch(Holder? holder) => await holder?[|.Http.GetStringAsync("u")|];
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task The_runtime_fix_is_not_offered_in_a_struct_for_a_call_on_its_own_state_which_a_lambda_cannot_use()
        => Verify.CodeFix<NoDeadlineAnalyzer, NoDeadlineCodeFix>(NoDeadlineCodeFix.WithTimeoutKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System.Net.Http;
                using System.Threading.Tasks;

                struct Fetcher(HttpClient http)
                {
                    private readonly HttpClient _http = http;

                    Task<string> Fetch() => [|_http.GetStringAsync("u")|];

                    Task<string> FetchThroughTheParameter() => [|http.GetStringAsync("u")|];
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task In_a_struct_the_runtime_fix_still_wraps_a_call_on_a_parameter()
        => Verify.CodeFix<NoDeadlineAnalyzer, NoDeadlineCodeFix>(NoDeadlineCodeFix.WithTimeoutKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System.Net.Http;
                using System.Threading.Tasks;

                struct Fetcher
                {
                    Task<string> Fetch(HttpClient http) => [|http.GetStringAsync("u")|];
                }
                """)
            .WithFixedSource("""
                using System.Net.Http;
                using System.Threading.Tasks;

                struct Fetcher
                {
                    Task<string> Fetch(HttpClient http) => Sluice.SluiceResilience.WithTimeoutAsync(System.TimeSpan.FromSeconds(100), ct => http.GetStringAsync("u", ct));
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_runtime_fix_is_not_offered_for_a_deadline_longer_than_the_runtime_accepts()
        => Verify.CodeFix<NoDeadlineAnalyzer, NoDeadlineCodeFix>(NoDeadlineCodeFix.WithTimeoutKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithEditorConfig("sluice.SLU303.deadline_seconds = 86401")
            .WithSource("""
                using System.Net.Http;
                using System.Threading.Tasks;

                class Client(HttpClient http)
                {
                    async Task<string> Fetch(string url) => await [|http.GetStringAsync(url)|];
                }
                """)
            .ExpectNoFix()
            .RunAsync();
}
