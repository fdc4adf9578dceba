using Sluice.Analyzers.Reliability;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Reliability;

namespace Sluice.Analyzers.Tests.Reliability;

public class SLU303_NoDeadlineTests
{
    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<NoDeadlineAnalyzer>().WithSource(source);

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
                    var response = await [|_http.GetAsync(url)|];
                    return await [|response.Content.ReadAsStringAsync()|];
                }
            }
            """)
            .WithMessages(
                "HttpClient.GetAsync gets no CancellationToken, and 'FetchAsync' has none to pass and applies no timeout, so nothing can stop or bound this call",
                "HttpContent.ReadAsStringAsync gets no CancellationToken, and 'FetchAsync' has none to pass and applies no timeout, so nothing can stop or bound this call")
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
    public Task Nothing_is_reported_when_no_network_or_database_call_is_made()
        => Analyzer("""
            using System.Threading.Tasks;

            class Job
            {
                async Task RunAsync() => await Task.Yield();
            }
            """).RunAsync();

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
                        var response = await [|_http.GetAsync(url)|];
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
                        var response = await _http.GetAsync(url, deadline.Token);
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
