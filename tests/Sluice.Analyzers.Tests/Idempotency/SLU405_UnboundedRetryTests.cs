using Sluice.Analyzers.Idempotency;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Idempotency;

namespace Sluice.Analyzers.Tests.Idempotency;

public class SLU405_UnboundedRetryTests
{
    private static RuleTest Analyzer(string source) => Verify.Analyzer<UnboundedRetryAnalyzer>().WithSource(source);

    private static RuleTest Fix(string source, string fixedSource)
        => Verify.CodeFix<UnboundedRetryAnalyzer, UnboundedRetryCodeFix>(UnboundedRetryCodeFix.BoundAttemptsKey)
            .WithSource(source)
            .WithFixedSource(fixedSource);

    // ---- Loops ---------------------------------------------------------------------------------

    [Fact]
    public Task A_while_true_retry_loop_with_no_limit_is_reported_and_gets_a_counter_in_a_filter()
        => Fix("""
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;

            class Client(HttpClient http)
            {
                async Task<string> GetAsync(string url)
                {
                    [|while (true)|]
                    {
                        try
                        {
                            return await http.GetStringAsync(url);
                        }
                        catch (HttpRequestException)
                        {
                            await Task.Delay(1000);
                        }
                    }
                }
            }
            """, """
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;

            class Client(HttpClient http)
            {
                async Task<string> GetAsync(string url)
                {
                    var attempt = 0;
                    while (true)
                    {
                        try
                        {
                            return await http.GetStringAsync(url);
                        }
                        catch (HttpRequestException) when (++attempt < 5)
                        {
                            await Task.Delay(1000);
                        }
                    }
                }
            }
            """)
            .WithMessages("This retry loop retries forever, so a failure that never heals stalls the pipeline; bound the attempts and let the last failure through")
            .RunAsync();

    [Fact]
    public Task A_for_ever_loop_with_a_catch_all_and_a_filtered_catch_gets_the_option_limit_in_both()
        => Fix("""
            using System;
            using System.IO;
            using System.Threading;

            class Files
            {
                void Copy(string from, string to)
                {
                    int attempt = 0;
                    [|for (;;)|]
                    {
                        try { File.Copy(from, to); attempt = 1; return; }
                        catch (IOException ex) when (ex.HResult != 0 || from.Length > 0) { Thread.Sleep(100); }
                        catch { Thread.Sleep(100); }
                    }
                }
            }
            """, """
            using System;
            using System.IO;
            using System.Threading;

            class Files
            {
                void Copy(string from, string to)
                {
                    int attempt = 0;
                    var attempts = 0;
                    for (;;)
                    {
                        try { File.Copy(from, to); attempt = 1; return; }
                        catch (IOException ex) when ((ex.HResult != 0 || from.Length > 0) && ++attempts < 3) { Thread.Sleep(100); }
                        catch when (++attempts < 3) { Thread.Sleep(100); }
                    }
                }
            }
            """)
            .WithEditorConfig("sluice.SLU405.max_attempts = 3")
            .RunAsync();

    [Fact]
    public Task After_the_fix_SLU402_counts_the_same_attempts()
        => Verify.CodeFix<HandRolledRetryAnalyzer, HandRolledRetryCodeFix>(HandRolledRetryCodeFix.UseSluiceRetryKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System.IO;
                using System.Threading;

                class Files
                {
                    string Read(string path)
                    {
                        var attempt = 0;
                        [|while (true)|]
                        {
                            try { return File.ReadAllText(path); }
                            catch (IOException) when (++attempt < 5) { Thread.Sleep(100); }
                        }
                    }
                }
                """)
            .WithFixedSource("""
                using System.IO;
                using System.Threading;
                using Sluice;

                class Files
                {
                    string Read(string path)
                    {
                        return SluiceResilience.Retry(_ => File.ReadAllText(path), ex => ex is IOException, maxAttempts: 5);
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task Bounded_loops_and_loops_with_another_way_out_are_silent()
        => Analyzer("""
            using System;
            using System.Threading;

            class Job
            {
                int Counted(Func<int> step)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try { return step(); }
                        catch (TimeoutException) when (attempt < 3) { Thread.Sleep(100); }
                    }
                }

                int UntilCancelled(Func<int> step, CancellationToken token)
                {
                    while (!token.IsCancellationRequested)
                    {
                        try { return step(); }
                        catch (TimeoutException) { Thread.Sleep(100); }
                    }

                    return -1;
                }

                int GivesUpOnSomething(Func<int> step)
                {
                    while (true)
                    {
                        try { return step(); }
                        catch (TimeoutException ex)
                        {
                            if (ex.Message.Contains("fatal")) throw;
                            Thread.Sleep(100);
                        }
                    }
                }

                int NotARetry(Func<int> step)
                {
                    while (true)
                    {
                        try { return step(); }
                        catch (TimeoutException) { Console.WriteLine("again"); }
                    }
                }
            }
            """).RunAsync();

    // ---- Polly ---------------------------------------------------------------------------------

    [Fact]
    public Task MaxRetryAttempts_int_MaxValue_in_an_initializer_or_an_assignment_becomes_max_attempts_minus_one()
        => Fix("""
            using Polly.Retry;

            class Pipelines
            {
                RetryStrategyOptions Forever() => new() { MaxRetryAttempts = [|int.MaxValue|] };

                RetryStrategyOptions<string> Typed()
                {
                    var options = new RetryStrategyOptions<string>();
                    options.MaxRetryAttempts = [|int.MaxValue|];
                    return options;
                }

                RetryStrategyOptions Bounded() => new() { MaxRetryAttempts = 10 };
            }
            """, """
            using Polly.Retry;

            class Pipelines
            {
                RetryStrategyOptions Forever() => new() { MaxRetryAttempts = 4 };

                RetryStrategyOptions<string> Typed()
                {
                    var options = new RetryStrategyOptions<string>();
                    options.MaxRetryAttempts = 4;
                    return options;
                }

                RetryStrategyOptions Bounded() => new() { MaxRetryAttempts = 10 };
            }
            """)
            .WithLibraries(Library.Polly)
            .WithMessages(
                "MaxRetryAttempts = int.MaxValue retries forever, so a failure that never heals stalls the pipeline; bound the attempts and let the last failure through",
                "MaxRetryAttempts = int.MaxValue retries forever, so a failure that never heals stalls the pipeline; bound the attempts and let the last failure through")
            .RunAsync();

    [Fact]
    public Task Without_Polly_a_MaxRetryAttempts_property_of_another_type_is_silent()
        => Analyzer("""
            class MyOptions { public int MaxRetryAttempts { get; set; } }

            class Config
            {
                MyOptions Create() => new() { MaxRetryAttempts = int.MaxValue };
            }
            """).RunAsync();

    [Fact]
    public Task Success_flag_reconnect_and_brace_less_loops_with_no_bound_are_reported_and_get_a_counter_in_a_filter()
        => Fix("""
            using System;
            using System.IO;
            using System.Net.Sockets;
            using System.Threading;

            class Feed(TcpClient client)
            {
                void Run(Action step)
                {
                    var done = false;
                    [|while (!done)|]
                    {
                        try
                        {
                            step();
                            done = true;
                        }
                        catch (TimeoutException)
                        {
                            Thread.Sleep(100);
                        }
                    }
                }

                void Connect(string host)
                {
                    [|while (!client.Connected)|]
                    {
                        try
                        {
                            client.Connect(host, 9000);
                        }
                        catch (SocketException)
                        {
                            Thread.Sleep(5000);
                        }
                    }
                }

                string Read(string path)
                {
                    [|while (true)|]
                        try
                        {
                            return File.ReadAllText(path);
                        }
                        catch (IOException)
                        {
                            Thread.Sleep(500);
                        }
                }
            }
            """, """
            using System;
            using System.IO;
            using System.Net.Sockets;
            using System.Threading;

            class Feed(TcpClient client)
            {
                void Run(Action step)
                {
                    var done = false;
                    var attempt = 0;
                    while (!done)
                    {
                        try
                        {
                            step();
                            done = true;
                        }
                        catch (TimeoutException) when (++attempt < 5)
                        {
                            Thread.Sleep(100);
                        }
                    }
                }

                void Connect(string host)
                {
                    var attempt = 0;
                    while (!client.Connected)
                    {
                        try
                        {
                            client.Connect(host, 9000);
                        }
                        catch (SocketException) when (++attempt < 5)
                        {
                            Thread.Sleep(5000);
                        }
                    }
                }

                string Read(string path)
                {
                    var attempt = 0;
                    while (true)
                        try
                        {
                            return File.ReadAllText(path);
                        }
                        catch (IOException) when (++attempt < 5)
                        {
                            Thread.Sleep(500);
                        }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Success_flag_and_reconnect_loops_with_an_attempt_bound_or_no_wait_are_silent()
        => Analyzer("""
            using System;
            using System.Net.Sockets;
            using System.Threading;

            class Feed(TcpClient client)
            {
                void Run(Action step)
                {
                    var done = false;
                    for (var attempt = 0; !done && attempt < 3; attempt++)
                    {
                        try
                        {
                            step();
                            done = true;
                        }
                        catch (TimeoutException)
                        {
                            Thread.Sleep(100);
                        }
                    }
                }

                void Connect(string host)
                {
                    var attempt = 0;
                    while (!client.Connected && attempt++ < 10)
                    {
                        try
                        {
                            client.Connect(host, 9000);
                        }
                        catch (SocketException)
                        {
                            Thread.Sleep(5000);
                        }
                    }
                }

                void Spin(Action step)
                {
                    var done = false;
                    while (!done)
                    {
                        try
                        {
                            step();
                            done = true;
                        }
                        catch (TimeoutException)
                        {
                            Console.WriteLine("again");
                        }
                    }
                }
            }
            """).RunAsync();

    // ---- Polly v7 ------------------------------------------------------------------------------

    [Fact]
    public Task Polly_v7_forever_retries_are_reported_with_no_fix()
        => Verify.CodeFix<UnboundedRetryAnalyzer, UnboundedRetryCodeFix>(UnboundedRetryCodeFix.BoundAttemptsKey)
            .WithLibraries(Library.PollyV7)
            .WithSource("""
                using System;
                using System.Data.Common;
                using Polly;

                class Policies
                {
                    IAsyncPolicy Migrations() => Policy.Handle<DbException>().[|WaitAndRetryForeverAsync|](_ => TimeSpan.FromSeconds(5));

                    ISyncPolicy Sync() => Policy.Handle<DbException>().[|WaitAndRetryForever|](n => TimeSpan.FromSeconds(n));

                    ISyncPolicy Immediate() => Policy.Handle<DbException>().[|RetryForever|]();

                    IAsyncPolicy<int> Typed() => Policy<int>.Handle<DbException>().[|RetryForeverAsync|]();
                }
                """)
            .WithMessages(
                "This Polly 'WaitAndRetryForeverAsync' policy retries forever, so a failure that never heals stalls the pipeline; bound the attempts and let the last failure through",
                "This Polly 'WaitAndRetryForever' policy retries forever, so a failure that never heals stalls the pipeline; bound the attempts and let the last failure through",
                "This Polly 'RetryForever' policy retries forever, so a failure that never heals stalls the pipeline; bound the attempts and let the last failure through",
                "This Polly 'RetryForeverAsync' policy retries forever, so a failure that never heals stalls the pipeline; bound the attempts and let the last failure through")
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task Polly_v7_bounded_retries_are_silent()
        => Verify.Analyzer<UnboundedRetryAnalyzer>().WithLibraries(Library.PollyV7).WithSource("""
            using System;
            using System.Data.Common;
            using Polly;

            class Policies
            {
                IAsyncPolicy Bounded() => Policy.Handle<DbException>().WaitAndRetryAsync(5, n => TimeSpan.FromSeconds(Math.Pow(2, n)));

                ISyncPolicy Few() => Policy.Handle<DbException>().Retry(3);

                ISyncPolicy Breaker() => Policy.Handle<DbException>().CircuitBreaker(5, TimeSpan.FromSeconds(30));
            }
            """).RunAsync();
}
