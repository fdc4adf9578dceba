using Sluice.Analyzers.Idempotency;
using Sluice.Analyzers.Tests.Harness;

namespace Sluice.Analyzers.Tests.Idempotency;

public class SLU402_HandRolledRetryTests
{
    private static RuleTest Analyzer(string source) => Verify.Analyzer<HandRolledRetryAnalyzer>().WithSource(source);

    // ---- Positives -----------------------------------------------------------------------------

    [Fact]
    public Task A_for_loop_with_a_sleep_in_the_catch_is_reported_on_its_header()
        => Analyzer("""
            using System.IO;
            using System.Threading;

            class Files
            {
                string Read(string path)
                {
                    [|for (int i = 0; i < 3; i++)|]
                    {
                        try
                        {
                            return File.ReadAllText(path);
                        }
                        catch (IOException)
                        {
                            Thread.Sleep(500);
                        }
                    }

                    throw new IOException("Gave up.");
                }
            }
            """)
            .WithMessages("This loop retries 'ReadAllText' by hand; use SluiceResilience.Retry/RetryAsync or a Polly retry, with exponential backoff and jitter on transient failures")
            .RunAsync();

    [Fact]
    public Task A_while_loop_with_an_attempt_counter_and_no_delay_is_reported()
        => Analyzer("""
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;

            class Client(HttpClient http)
            {
                async Task<string> GetAsync(string url)
                {
                    var attempt = 0;
                    [|while (true)|]
                    {
                        try
                        {
                            return await http.GetStringAsync(url);
                        }
                        catch (HttpRequestException) when (attempt++ < 3)
                        {
                            Console.WriteLine("Retrying");
                        }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_do_while_loop_with_a_delay_after_the_try_and_a_break_on_success_is_reported_on_do()
        => Analyzer("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Sender
            {
                async Task SendAsync(Func<CancellationToken, Task> send, CancellationToken token)
                {
                    var attempt = 0;
                    [|do|]
                    {
                        try
                        {
                            await send(token);
                            break;
                        }
                        catch (TimeoutException)
                        {
                            attempt++;
                        }

                        await Task.Delay(1000, token);
                    }
                    while (attempt < 5);
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_delegate_is_named_by_its_variable_and_an_unknown_call_by_the_try_block()
        => Analyzer("""
            using System;
            using System.Threading;

            class Runner
            {
                int Run(Func<int> call, int[] values)
                {
                    [|while (true)|]
                    {
                        try { return call(); }
                        catch (TimeoutException) { Thread.Sleep(10); }
                    }
                }

                int Sum(int a, int b)
                {
                    [|while (true)|]
                    {
                        try { return checked(a + b); }
                        catch (OverflowException) { Thread.Sleep(10); }
                    }
                }
            }
            """)
            .WithMessages(
                "This loop retries 'call' by hand; use SluiceResilience.Retry/RetryAsync or a Polly retry, with exponential backoff and jitter on transient failures",
                "This loop retries its try block by hand; use SluiceResilience.Retry/RetryAsync or a Polly retry, with exponential backoff and jitter on transient failures")
            .RunAsync();

    [Fact]
    public Task A_loop_that_logs_the_failure_and_rethrows_only_at_the_limit_is_reported()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;

            class Uploader(ILogger logger)
            {
                async Task UploadAsync(Func<Task> upload)
                {
                    [|for (var attempt = 1; attempt <= 5; attempt++)|]
                    {
                        try
                        {
                            await upload();
                            return;
                        }
                        catch (IOException ex)
                        {
                            logger.LogWarning(ex, "Attempt {Attempt} failed", attempt);
                            if (attempt >= 5)
                            {
                                throw;
                            }

                            await Task.Delay(TimeSpan.FromSeconds(attempt)).ConfigureAwait(false);
                        }
                    }
                }
            }
            """)
            .WithLibraries(Library.Logging)
            .RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Fact]
    public Task A_foreach_with_a_try_catch_and_a_delay_per_record_is_silent()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.Threading;

            class Import
            {
                void Run(IEnumerable<string> lines)
                {
                    foreach (var line in lines)
                    {
                        try
                        {
                            Save(line);
                            break;
                        }
                        catch (FormatException)
                        {
                            Thread.Sleep(10);
                        }
                    }
                }

                void Save(string line) { }
            }
            """).RunAsync();

    [Fact]
    public Task A_for_loop_over_records_with_a_try_catch_per_record_and_no_success_exit_is_silent()
        => Analyzer("""
            using System;
            using System.Threading;

            class Import
            {
                void Run(string[] lines)
                {
                    for (var i = 0; i < lines.Length; i++)
                    {
                        try
                        {
                            Save(lines[i]);
                        }
                        catch (FormatException)
                        {
                            Console.WriteLine("Bad line");
                        }
                    }
                }

                void Save(string line) { }
            }
            """).RunAsync();

    [Fact]
    public Task A_failover_loop_that_tries_the_next_endpoint_by_index_is_silent()
        => Analyzer("""
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;

            class Client(HttpClient http)
            {
                async Task<string> GetAsync(string[] mirrors)
                {
                    for (var i = 0; i < mirrors.Length; i++)
                    {
                        try
                        {
                            return await http.GetStringAsync(mirrors[i]);
                        }
                        catch (HttpRequestException)
                        {
                            await Task.Delay(100);
                        }
                    }

                    throw new InvalidOperationException("No mirror answered.");
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_polling_loop_with_a_delay_and_no_try_is_silent()
        => Analyzer("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Poller
            {
                async Task<int> WaitAsync(Func<bool> ready, CancellationToken token)
                {
                    var polls = 0;
                    while (polls < 10)
                    {
                        if (ready())
                        {
                            return polls;
                        }

                        polls++;
                        await Task.Delay(1000, token);
                    }

                    return -1;
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_catch_that_sleeps_and_rethrows_unconditionally_is_silent()
        => Analyzer("""
            using System;
            using System.Threading;

            class Job
            {
                void Run(Action step)
                {
                    while (true)
                    {
                        try
                        {
                            step();
                            return;
                        }
                        catch (TimeoutException)
                        {
                            Thread.Sleep(100);
                            throw;
                        }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_loop_that_asks_again_without_delay_or_counter_is_silent()
        => Analyzer("""
            using System;

            class Prompt
            {
                int ReadNumber()
                {
                    while (true)
                    {
                        try
                        {
                            return int.Parse(Console.ReadLine() ?? "");
                        }
                        catch (FormatException)
                        {
                            Console.WriteLine("Not a number, try again.");
                        }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_loop_around_a_Polly_pipeline_is_silent()
        => Analyzer("""
            using System;
            using System.Threading;
            using Polly;

            class Job
            {
                void Run(ResiliencePipeline pipeline, Action step)
                {
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        try
                        {
                            pipeline.Execute(step);
                            return;
                        }
                        catch (TimeoutException)
                        {
                            Thread.Sleep(100);
                        }
                    }
                }
            }
            """)
            .WithLibraries(Library.Polly)
            .RunAsync();

    [Fact]
    public Task A_loop_that_stops_on_success_with_a_flag_is_not_reported()
        => Analyzer("""
            using System;
            using System.Threading;

            class Job
            {
                void Run(Action step)
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
                            Thread.Sleep(100);
                        }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_sleep_in_a_lambda_inside_the_catch_is_not_a_delay()
        => Analyzer("""
            using System;
            using System.Threading;

            class Job
            {
                Action? later;

                int Run(Func<int> step)
                {
                    while (true)
                    {
                        try
                        {
                            return step();
                        }
                        catch (TimeoutException)
                        {
                            later = () => Thread.Sleep(100);
                        }
                    }
                }
            }
            """).RunAsync();
}
