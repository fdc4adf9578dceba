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
            .WithMessages("This loop retries 'ReadAllText' by hand and, after the last attempt, throws an exception that carries none of the failures; rethrow the last failure, or pass it as the inner exception")
            .RunAsync();

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
                "This loop retries 'call' by hand and never gives up; bound the attempts and let the last failure through (SluiceResilience.Retry/RetryAsync or a Polly retry)",
                "This loop retries its try block by hand and never gives up; bound the attempts and let the last failure through (SluiceResilience.Retry/RetryAsync or a Polly retry)")
            .RunAsync();

    [Fact]
    public Task A_loop_that_falls_out_after_its_last_attempt_and_carries_on_is_reported()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading;

            class Archive
            {
                void Store(Action upload)
                {
                    [|for (var tries = 0; tries < 4; tries++)|]
                    {
                        try
                        {
                            upload();
                            break;
                        }
                        catch (IOException)
                        {
                            Thread.Sleep(250);
                        }
                    }

                    Console.WriteLine("Archived.");
                }
            }
            """)
            .WithMessages("This loop retries 'upload' by hand and, after the last attempt, carries on as if it had succeeded; let the last failure through or record it (SluiceResilience.Retry/RetryAsync or a Polly retry rethrows it)")
            .RunAsync();

    [Fact]
    public Task A_guarded_throw_of_a_new_exception_with_no_cause_is_reported()
        => Analyzer("""
            using System;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            class Quotes(HttpClient http)
            {
                async Task<string> PriceAsync(string symbol, CancellationToken token)
                {
                    var attempt = 0;
                    [|while (true)|]
                    {
                        attempt++;
                        try
                        {
                            return await http.GetStringAsync(symbol, token);
                        }
                        catch (HttpRequestException)
                        {
                            if (attempt >= 3)
                            {
                                throw new InvalidOperationException("Quote service unavailable.");
                            }
                        }

                        await Task.Delay(500, token);
                    }
                }
            }
            """)
            .WithMessages("This loop retries 'GetStringAsync' by hand and, after the last attempt, throws an exception that carries none of the failures; rethrow the last failure, or pass it as the inner exception")
            .RunAsync();

    [Fact]
    public Task Thread_Sleep_between_attempts_of_an_async_method_is_reported()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;

            class Spool
            {
                async Task FlushAsync(Func<Task> flush)
                {
                    [|for (var attempt = 1; attempt <= 3; attempt++)|]
                    {
                        try
                        {
                            await flush();
                            return;
                        }
                        catch (IOException) when (attempt < 3)
                        {
                            Thread.Sleep(1000);
                        }
                    }
                }
            }
            """)
            .WithMessages("This loop retries 'flush' by hand and blocks a thread in Thread.Sleep between attempts of an async method; await Task.Delay with the cancellation token, or use SluiceResilience.Retry/RetryAsync or a Polly retry")
            .RunAsync();

    [Fact]
    public Task The_message_names_the_work_not_ConfigureAwait_or_logging_and_no_call_when_there_are_several()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading.Tasks;

            class Mirror
            {
                async Task CopyAsync(Func<Task> copy)
                {
                    [|while (true)|]
                    {
                        try
                        {
                            Console.WriteLine("Copying");
                            await copy().ConfigureAwait(false);
                            return;
                        }
                        catch (IOException)
                        {
                            await Task.Delay(100);
                        }
                    }
                }

                async Task SyncAsync(Func<Task> pull, Func<Task> push)
                {
                    [|while (true)|]
                    {
                        try
                        {
                            await pull();
                            await push();
                            return;
                        }
                        catch (IOException)
                        {
                            await Task.Delay(100);
                        }
                    }
                }
            }
            """)
            .WithMessages(
                "This loop retries 'copy' by hand and never gives up; bound the attempts and let the last failure through (SluiceResilience.Retry/RetryAsync or a Polly retry)",
                "This loop retries its try block by hand and never gives up; bound the attempts and let the last failure through (SluiceResilience.Retry/RetryAsync or a Polly retry)")
            .RunAsync();

    [Fact]
    public Task With_the_runtime_referenced_a_deliberate_loop_is_reported_with_the_plain_message()
        => Analyzer("""
            using System.IO;
            using System.Threading;

            class Files
            {
                string Read(string path)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try { return File.ReadAllText(path); }
                        catch (IOException) when (attempt < 3) { Thread.Sleep(100); }
                    }
                }
            }
            """)
            .WithLibraries(Library.SluiceRuntime)
            .WithMessages("This loop retries 'ReadAllText' by hand; use SluiceResilience.Retry/RetryAsync or a Polly retry, with exponential backoff and jitter on transient failures")
            .RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Fact]
    public Task A_bounded_loop_that_retries_one_failure_type_at_once_and_lets_the_last_through_is_silent()
        => Analyzer("""
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
                        catch (HttpRequestException) when (attempt++ < 3)
                        {
                            Console.WriteLine("Retrying");
                        }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_bounded_loop_that_logs_each_failure_and_rethrows_at_the_limit_is_silent()
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
                    for (var attempt = 1; attempt <= 5; attempt++)
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


    [Fact]
    public Task A_bounded_loop_that_retries_only_what_a_classifier_calls_transient_is_silent()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;

            class Ledger
            {
                public int RetryLimit { get; set; } = 3;

                async Task<int> PostEntryAsync(Func<CancellationToken, Task<int>> post, CancellationToken token)
                {
                    var total = RetryLimit + 1;
                    for (var attempt = 1; attempt <= total; attempt++)
                    {
                        try
                        {
                            return await post(token);
                        }
                        catch (IOException failure)
                        {
                            if (attempt == total || !IsPassing(failure))
                            {
                                throw;
                            }
                        }

                        await Task.Delay(TimeSpan.FromSeconds(2), token);
                    }

                    throw new InvalidOperationException("Not reached.");
                }

                static bool IsPassing(IOException failure) => failure.HResult == 32;
            }
            """).RunAsync();

    [Fact]
    public Task A_loop_that_keeps_the_last_failure_for_the_code_after_it_is_silent()
        => Analyzer("""
            using System;
            using System.Threading;

            class Settlement
            {
                void Settle(Action transfer, Action<Exception> markFailed, int attempts)
                {
                    Exception? last = null;
                    for (var i = 0; i < attempts; i++)
                    {
                        try
                        {
                            transfer();
                            return;
                        }
                        catch (Exception ex)
                        {
                            last = ex;
                        }

                        Thread.Sleep(TimeSpan.FromSeconds(i));
                    }

                    markFailed(last!);
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_loop_that_hands_the_first_failure_to_a_throw_helper_after_it_is_silent()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;

            class Lease
            {
                async Task AcquireAsync(Func<CancellationToken, Task> claim, int tries, CancellationToken token)
                {
                    Exception? cause = null;
                    var count = 0;
                    do
                    {
                        count++;
                        try
                        {
                            await claim(token);
                            return;
                        }
                        catch (IOException ex)
                        {
                            cause ??= ex;
                            await Task.Delay(200, token);
                        }
                    }
                    while (count < tries);

                    ThrowLeaseUnavailable(cause);
                }

                static void ThrowLeaseUnavailable(Exception? cause) => throw new InvalidOperationException("Lease unavailable.", cause);
            }
            """).RunAsync();

    [Fact]
    public Task A_readiness_wait_that_gives_up_with_its_own_exception_is_silent()
        => Analyzer("""
            using System;
            using System.Threading;

            static class Startup
            {
                public static void WaitForQueueBroker(Action ping)
                {
                    var tries = 0;
                    while (true)
                    {
                        tries++;
                        try
                        {
                            ping();
                            break;
                        }
                        catch
                        {
                            if (tries > 20)
                            {
                                throw new TimeoutException("The broker did not come up.");
                            }
                        }

                        Thread.Sleep(1000);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_loop_that_retries_until_cancelled_is_silent()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;

            class Reservation
            {
                async Task<int> HoldAsync(Func<CancellationToken, Task<int>> hold, CancellationToken token)
                {
                    while (!token.IsCancellationRequested)
                    {
                        try
                        {
                            return await hold(token);
                        }
                        catch (IOException ex) when (ex.HResult == 33)
                        {
                            await Task.Delay(20, token);
                        }
                    }

                    throw new OperationCanceledException(token);
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_loop_that_answers_false_after_its_last_attempt_is_silent()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading;

            class Locker
            {
                bool TryLock(string path)
                {
                    for (var i = 0; i < 5; i++)
                    {
                        try
                        {
                            File.Open(path, FileMode.CreateNew).Dispose();
                            return true;
                        }
                        catch (IOException)
                        {
                            Thread.Sleep(50);
                        }
                    }

                    return false;
                }
            }
            """).RunAsync();

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
    public Task A_loop_that_spins_on_a_success_flag_with_no_attempt_bound_is_reported()
        => Analyzer("""
            using System;
            using System.Threading;

            class Job
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
            }
            """)
            .WithMessages("This loop retries 'step' by hand and never gives up; bound the attempts and let the last failure through (SluiceResilience.Retry/RetryAsync or a Polly retry)")
            .RunAsync();

    // ---- Loops that end on a success flag, reconnect loops, a try with no braces around it ---------------

    [Fact]
    public Task A_success_flag_loop_bounded_in_its_condition_that_carries_on_after_the_last_attempt_is_reported()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading;

            class Exporter
            {
                void Export(Action write)
                {
                    var written = false;
                    var attempt = 0;
                    [|while (!written && attempt < 3)|]
                    {
                        try
                        {
                            write();
                            written = true;
                        }
                        catch (IOException)
                        {
                            attempt++;
                            Thread.Sleep(1000);
                        }
                    }
                }

                void Send(Action send)
                {
                    var sent = false;
                    var attempt = 0;
                    [|do|]
                    {
                        try
                        {
                            send();
                            sent = true;
                        }
                        catch (TimeoutException)
                        {
                            Thread.Sleep(200);
                        }
                    }
                    while (sent == false && ++attempt < 5);
                }
            }
            """)
            .WithMessages(
                "This loop retries 'write' by hand and, after the last attempt, carries on as if it had succeeded; let the last failure through or record it (SluiceResilience.Retry/RetryAsync or a Polly retry rethrows it)",
                "This loop retries 'send' by hand and, after the last attempt, carries on as if it had succeeded; let the last failure through or record it (SluiceResilience.Retry/RetryAsync or a Polly retry rethrows it)")
            .RunAsync();

    [Fact]
    public Task A_success_flag_loop_that_throws_its_own_exception_after_the_loop_is_reported_and_one_that_keeps_the_cause_is_silent()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading;

            class Exporter
            {
                void Lossy(Action write)
                {
                    var written = false;
                    [|for (var attempt = 0; !written && attempt < 3; attempt++)|]
                    {
                        try
                        {
                            write();
                            written = true;
                        }
                        catch (IOException)
                        {
                            Thread.Sleep(1000);
                        }
                    }

                    if (!written)
                    {
                        throw new InvalidOperationException("Export failed.");
                    }
                }

                void Kept(Action write)
                {
                    var written = false;
                    IOException? last = null;
                    for (var attempt = 0; !written && attempt < 3; attempt++)
                    {
                        try
                        {
                            write();
                            written = true;
                        }
                        catch (IOException ex)
                        {
                            last = ex;
                            Thread.Sleep(1000);
                        }
                    }

                    if (!written)
                    {
                        throw new InvalidOperationException("Export failed.", last);
                    }
                }
            }
            """)
            .WithMessages("This loop retries 'write' by hand and, after the last attempt, throws an exception that carries none of the failures; rethrow the last failure, or pass it as the inner exception")
            .RunAsync();

    [Fact]
    public Task A_reconnect_loop_that_spins_on_the_connection_state_with_a_sleep_is_reported()
        => Analyzer("""
            using System;
            using System.Data;
            using System.Data.Common;
            using System.Net.Sockets;
            using System.Threading;
            using System.Threading.Tasks;

            class Feed(TcpClient client, DbConnection connection)
            {
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

                async Task OpenAsync()
                {
                    [|while (connection.State != ConnectionState.Open)|]
                    {
                        try
                        {
                            await connection.OpenAsync();
                        }
                        catch (DbException)
                        {
                        }

                        await Task.Delay(2000);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Worker_and_consumer_loops_on_other_state_are_silent()
        => Analyzer("""
            using System;
            using System.Collections.Concurrent;
            using System.Threading;

            class Worker(BlockingCollection<string> queue)
            {
                private bool _running = true;

                void Consume(Action<string> handle)
                {
                    while (!queue.IsCompleted)
                    {
                        try
                        {
                            handle(queue.Take());
                        }
                        catch (InvalidOperationException)
                        {
                            Thread.Sleep(100);
                        }
                    }
                }

                void Run(Action work)
                {
                    while (_running)
                    {
                        try
                        {
                            work();
                        }
                        catch (TimeoutException)
                        {
                            Thread.Sleep(1000);
                        }
                    }
                }

                void ConnectOnce(System.Net.Sockets.TcpClient client)
                {
                    var done = false;
                    while (!done)
                    {
                        try
                        {
                            client.Connect("feed", 9000);
                            done = true;
                        }
                        catch (System.Net.Sockets.SocketException)
                        {
                            done = true;
                        }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_loop_whose_body_is_the_try_statement_without_braces_is_reported()
        => Analyzer("""
            using System.IO;
            using System.Threading;

            class Files
            {
                string Read(string path)
                {
                    [|for (int i = 0; i < 3; i++)|]
                        try
                        {
                            return File.ReadAllText(path);
                        }
                        catch (IOException)
                        {
                            Thread.Sleep(500);
                        }

                    throw new IOException("Gave up.");
                }

                string ReadForever(string path)
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

    // ---- Options -------------------------------------------------------------------------------

    [Fact]
    public Task Deliberate_loops_are_reported_with_report_deliberate_retries_true_and_not_with_false()
        => Analyzer("""
            using System.IO;
            using System.Threading;

            class Files
            {
                string Read(string path)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try { return File.ReadAllText(path); }
                        catch (IOException) when (attempt < 3) { Thread.Sleep(100); }
                    }
                }
            }
            """)
            .WithEditorConfig("sluice.SLU402.report_deliberate_retries = true")
            .RunAsync();

    [Fact]
    public Task With_report_deliberate_retries_false_the_runtime_does_not_bring_deliberate_loops_back()
        => Analyzer("""
            using System.IO;
            using System.Threading;

            class Files
            {
                string Read(string path)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try { return File.ReadAllText(path); }
                        catch (IOException) when (attempt < 3) { Thread.Sleep(100); }
                    }
                }
            }
            """)
            .WithLibraries(Library.SluiceRuntime)
            .WithEditorConfig("sluice.SLU402.report_deliberate_retries = false")
            .RunAsync();

    [Fact]
    public Task The_readiness_wait_prefixes_are_an_option()
        => Analyzer("""
            using System;
            using System.Threading;

            static class Startup
            {
                public static void EnsureStoreIsUp(Action ping)
                {
                    for (var i = 0; i < 10; i++)
                    {
                        try { ping(); return; }
                        catch (TimeoutException) { Thread.Sleep(500); }
                    }

                    throw new TimeoutException("The store did not come up.");
                }

                public static void WaitForStore(Action ping)
                {
                    [|for (var i = 0; i < 10; i++)|]
                    {
                        try { ping(); return; }
                        catch (TimeoutException) { Thread.Sleep(500); }
                    }

                    throw new TimeoutException("The store did not come up.");
                }
            }
            """)
            .WithEditorConfig("sluice.SLU402.readiness_wait_prefixes = Ensure")
            .RunAsync();
}
