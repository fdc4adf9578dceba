using Sluice.Analyzers.Idempotency;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Idempotency;

namespace Sluice.Analyzers.Tests.Idempotency;

public class SLU402_HandRolledRetryFixTests
{
    private static RuleTest Fix(string source, string fixedSource)
        => Verify.CodeFix<HandRolledRetryAnalyzer, HandRolledRetryCodeFix>(HandRolledRetryCodeFix.UseSluiceRetryKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithSource(source)
            .WithFixedSource(fixedSource);

    [Fact]
    public Task Async_for_loop_with_a_filtered_catch_becomes_RetryAsync_with_the_same_attempts_and_token()
        => Fix("""
            using System;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            public static class Client
            {
                public static async Task<string> FetchAsync(Func<CancellationToken, Task<string>> call, CancellationToken token)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try { return await call(token); }
                        catch (HttpRequestException) when (attempt < 4)
                        { await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), token); }
                    }
                }
            }
            """, """
            using System;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Sluice;

            public static class Client
            {
                public static async Task<string> FetchAsync(Func<CancellationToken, Task<string>> call, CancellationToken token)
                {
                    return await SluiceResilience.RetryAsync(async ct => await call(ct), ex => ex is HttpRequestException, maxAttempts: 4, cancellationToken: token);
                }
            }
            """).RunAsync();

    [Fact]
    public Task Sync_for_loop_with_a_rethrow_at_the_limit_becomes_Retry()
        => Fix("""
            using System.IO;
            using System.Threading;

            public static class Files
            {
                public static void Copy(string from, string to)
                {
                    [|for (var attempt = 1; attempt <= 3; attempt++)|]
                    {
                        try
                        {
                            File.Copy(from, to, overwrite: true);
                            return;
                        }
                        catch (IOException)
                        {
                            if (attempt == 3) throw;
                            Thread.Sleep(200);
                        }
                    }
                }
            }
            """, """
            using System.IO;
            using System.Threading;
            using Sluice;

            public static class Files
            {
                public static void Copy(string from, string to)
                {
                    SluiceResilience.Retry(_ => File.Copy(from, to, overwrite: true), ex => ex is IOException, maxAttempts: 3);
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_loop_that_ends_the_method_inside_a_try_needs_no_return_but_one_followed_by_more_code_keeps_it()
        => Fix("""
            using System;
            using System.Net.Http;
            using System.Threading;

            public class Notifier
            {
                public void Send(Action post)
                {
                    try
                    {
                        [|for (var attempt = 1; ; attempt++)|]
                        {
                            try
                            {
                                post();
                                return;
                            }
                            catch (HttpRequestException) when (attempt < 3)
                            {
                                Thread.Sleep(50 * attempt);
                            }
                        }
                    }
                    catch (HttpRequestException ex)
                    {
                        Console.Error.WriteLine(ex);
                    }
                }

                public void SendThenLog(Action post)
                {
                    try
                    {
                        [|for (var attempt = 1; ; attempt++)|]
                        {
                            try
                            {
                                post();
                                return;
                            }
                            catch (HttpRequestException) when (attempt < 3)
                            {
                                Thread.Sleep(50 * attempt);
                            }
                        }
                    }
                    catch (HttpRequestException ex)
                    {
                        Console.Error.WriteLine(ex);
                    }

                    Console.WriteLine("gave up");
                }
            }
            """, """
            using System;
            using System.Net.Http;
            using System.Threading;
            using Sluice;

            public class Notifier
            {
                public void Send(Action post)
                {
                    try
                    {
                        SluiceResilience.Retry(_ => post(), ex => ex is HttpRequestException, maxAttempts: 3);
                    }
                    catch (HttpRequestException ex)
                    {
                        Console.Error.WriteLine(ex);
                    }
                }

                public void SendThenLog(Action post)
                {
                    try
                    {
                        SluiceResilience.Retry(_ => post(), ex => ex is HttpRequestException, maxAttempts: 3);
                        return;
                    }
                    catch (HttpRequestException ex)
                    {
                        Console.Error.WriteLine(ex);
                    }

                    Console.WriteLine("gave up");
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_while_loop_with_a_postfix_counter_in_the_filter_keeps_its_four_attempts_and_loses_the_counter()
        => Fix("""
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Sluice;

            class Client(HttpClient http)
            {
                async Task<string> GetAsync(string url, CancellationToken token)
                {
                    var attempt = 0;
                    [|while (true)|]
                    {
                        try
                        {
                            var body = await http.GetStringAsync(url, token);
                            return body.Trim();
                        }
                        catch (HttpRequestException) when (attempt++ < 3)
                        {
                            await Task.Delay(250, token);
                        }
                    }
                }
            }
            """, """
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Sluice;

            class Client(HttpClient http)
            {
                async Task<string> GetAsync(string url, CancellationToken token)
                {
                    return await SluiceResilience.RetryAsync(async ct =>
                    {
                        var body = await http.GetStringAsync(url, ct);
                        return body.Trim();
                    }, ex => ex is HttpRequestException, maxAttempts: 4, cancellationToken: token);
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_do_while_loop_that_assigns_a_result_and_breaks_becomes_an_assignment_from_Retry()
        => Fix("""
            using System.IO;
            using System.Threading;

            class Reader
            {
                int Lines(string path)
                {
                    int count;
                    var attempt = 1;
                    [|do|]
                    {
                        try
                        {
                            var text = File.ReadAllText(path);
                            count = text.Split('\n').Length;
                            break;
                        }
                        catch (IOException)
                        {
                            if (++attempt > 3) throw;
                            Thread.Sleep(100);
                        }
                    }
                    while (true);

                    return count * 2;
                }
            }
            """, """
            using System.IO;
            using System.Threading;
            using Sluice;

            class Reader
            {
                int Lines(string path)
                {
                    int count;
                    count = SluiceResilience.Retry(_ =>
                    {
                        var text = File.ReadAllText(path);
                        return text.Split('\n').Length;
                    }, ex => ex is IOException, maxAttempts: 3);

                    return count * 2;
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_catch_of_Exception_that_logs_keeps_the_log_in_onRetry_and_retries_transient_failures()
        => Fix("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;

            class Sync(ILogger logger)
            {
                async Task PushAsync(Func<CancellationToken, Task> push, CancellationToken token)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try
                        {
                            await push(token);
                            return;
                        }
                        catch (Exception ex) when (attempt < 5)
                        {
                            logger.LogWarning(ex, "Push failed, attempt {Attempt}", attempt);
                            await Task.Delay(TimeSpan.FromSeconds(attempt), token);
                        }
                    }
                }
            }
            """, """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;
            using Sluice;

            class Sync(ILogger logger)
            {
                async Task PushAsync(Func<CancellationToken, Task> push, CancellationToken token)
                {
                    await SluiceResilience.RetryAsync(async ct => await push(ct), SluiceResilience.IsTransient, (ex, attempt) => logger.LogWarning(ex, "Push failed, attempt {Attempt}", attempt), maxAttempts: 5, cancellationToken: token);
                }
            }
            """)
            .WithLibraries(Library.Logging)
            .RunAsync();

    [Fact]
    public Task A_Console_log_line_of_a_zero_based_counter_maps_the_counter_to_the_attempt_number_less_one()
        => Fix("""
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;

            static class Files
            {
                public static async Task<string> ReadAsync(string path, CancellationToken token)
                {
                    for (var i = 0; i < 10; i++)
                    {
                        Console.WriteLine(i);
                    }

                    [|for (var retry = 0; ; retry++)|]
                    {
                        try { return await File.ReadAllTextAsync(path, token); }
                        catch (IOException ex) when (retry < 2)
                        {
                            Console.WriteLine($"Retry {retry} after {ex.Message}");
                            await Task.Delay(500, token);
                        }
                    }
                }
            }
            """, """
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Sluice;

            static class Files
            {
                public static async Task<string> ReadAsync(string path, CancellationToken token)
                {
                    for (var i = 0; i < 10; i++)
                    {
                        Console.WriteLine(i);
                    }

                    return await SluiceResilience.RetryAsync(async ct => await File.ReadAllTextAsync(path, ct), exception => exception is IOException, (ex, attempt) => Console.WriteLine($"Retry {attempt - 1} after {ex.Message}"), maxAttempts: 3, cancellationToken: token);
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_log_line_that_uses_a_local_of_the_catch_is_dropped_as_before()
        => Fix("""
            using System;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            static class Client
            {
                public static async Task<string> FetchAsync(HttpClient client, string url, CancellationToken token)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try { return await client.GetStringAsync(url, token); }
                        catch (Exception ex) when (ex is HttpRequestException http && attempt < 3)
                        {
                            Console.WriteLine($"{url}: {http.StatusCode}");
                            await Task.Delay(500, token);
                        }
                    }
                }
            }
            """, """
            using System;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Sluice;

            static class Client
            {
                public static async Task<string> FetchAsync(HttpClient client, string url, CancellationToken token)
                {
                    return await SluiceResilience.RetryAsync(async ct => await client.GetStringAsync(url, ct), ex => ex is HttpRequestException http, maxAttempts: 3, cancellationToken: token);
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_log_line_in_the_catch_and_a_postfix_counter_in_the_filter_keep_the_counter_name_for_the_attempt()
        => Fix("""
            using System;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;

            class Sender(ILogger<Sender> logger, HttpClient client)
            {
                async Task SendAsync(Uri uri, CancellationToken cancellationToken)
                {
                    var attempt = 0;
                    [|while (true)|]
                    {
                        try
                        {
                            var response = await client.PostAsync(uri, null, cancellationToken);
                            response.EnsureSuccessStatusCode();
                            return;
                        }
                        catch (HttpRequestException) when (attempt++ < 3)
                        {
                            logger.LogInformation("Post to {Uri} failed ({Attempt}), retrying", uri, attempt);
                            Console.WriteLine("retrying");
                            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                        }
                    }
                }
            }
            """, """
            using System;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;
            using Sluice;

            class Sender(ILogger<Sender> logger, HttpClient client)
            {
                async Task SendAsync(Uri uri, CancellationToken cancellationToken)
                {
                    await SluiceResilience.RetryAsync(async ct =>
                    {
                        var response = await client.PostAsync(uri, null, ct);
                        response.EnsureSuccessStatusCode();
                    }, ex => ex is HttpRequestException, (ex, attempt) =>
                    {
                        logger.LogInformation("Post to {Uri} failed ({Attempt}), retrying", uri, attempt);
                        Console.WriteLine("retrying");
                    }, maxAttempts: 4, cancellationToken: cancellationToken);
                }
            }
            """)
            .WithLibraries(Library.Logging)
            .RunAsync();

    [Fact]
    public Task A_log_line_of_a_synchronous_loop_is_dropped_since_Retry_has_no_hook()
        => Fix("""
            using System;
            using System.IO;
            using System.Threading;

            static class Files
            {
                public static string Read(string path)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try { return File.ReadAllText(path); }
                        catch (IOException ex) when (attempt < 3)
                        {
                            Console.WriteLine($"Attempt {attempt}: {ex.Message}");
                            Thread.Sleep(100);
                        }
                    }
                }
            }
            """, """
            using System;
            using System.IO;
            using System.Threading;
            using Sluice;

            static class Files
            {
                public static string Read(string path)
                {
                    return SluiceResilience.Retry(_ => File.ReadAllText(path), exception => exception is IOException, maxAttempts: 3);
                }
            }
            """).RunAsync();

    [Fact]
    public Task Fix_All_keeps_the_log_line_of_each_loop()
        => Fix("""
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;

            class Files(ILogger logger)
            {
                async Task<string> ReadAsync(string path, CancellationToken token)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try { return await File.ReadAllTextAsync(path, token); }
                        catch (IOException error) when (attempt < 3)
                        {
                            logger.LogWarning(error, "Reading {Path} failed", path);
                            await Task.Delay(100, token);
                        }
                    }
                }

                async Task WriteAsync(string path, string text, CancellationToken token)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try { await File.WriteAllTextAsync(path, text, token); return; }
                        catch (IOException) when (attempt < 3)
                        {
                            Console.WriteLine("Writing failed");
                            await Task.Delay(100, token);
                        }
                    }
                }
            }
            """, """
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;
            using Sluice;

            class Files(ILogger logger)
            {
                async Task<string> ReadAsync(string path, CancellationToken token)
                {
                    return await SluiceResilience.RetryAsync(async ct => await File.ReadAllTextAsync(path, ct), ex => ex is IOException, (error, _) => logger.LogWarning(error, "Reading {Path} failed", path), maxAttempts: 3, cancellationToken: token);
                }

                async Task WriteAsync(string path, string text, CancellationToken token)
                {
                    await SluiceResilience.RetryAsync(async ct => await File.WriteAllTextAsync(path, text, ct), ex => ex is IOException, (ex, _) => Console.WriteLine("Writing failed"), maxAttempts: 3, cancellationToken: token);
                }
            }
            """)
            .WithLibraries(Library.Logging)
            .RunAsync();

    [Fact]
    public Task A_filter_condition_that_does_not_use_the_counter_joins_the_caught_type_in_the_predicate()
        => Fix("""
            using System.Net;
            using System.Net.Http;
            using System.Threading.Tasks;

            class Client(HttpClient http)
            {
                async Task<string> GetAsync(string url)
                {
                    [|for (var attempt = 0; ; attempt++)|]
                    {
                        try
                        {
                            return await http.GetStringAsync(url);
                        }
                        catch (HttpRequestException ex) when (ex.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 2)
                        {
                            await Task.Delay(1000);
                        }
                    }
                }
            }
            """, """
            using System.Net;
            using System.Net.Http;
            using System.Threading.Tasks;
            using Sluice;

            class Client(HttpClient http)
            {
                async Task<string> GetAsync(string url)
                {
                    return await SluiceResilience.RetryAsync(async _ => await http.GetStringAsync(url), exception => exception is HttpRequestException ex && ex.StatusCode == HttpStatusCode.ServiceUnavailable, maxAttempts: 3);
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_void_loop_inside_a_block_keeps_its_return_and_loses_the_dead_code_after_it()
        => Fix("""
            using System;
            using System.Threading;

            class Job
            {
                void Run(Action step, bool enabled)
                {
                    if (enabled)
                    {
                        [|for (var attempt = 1; attempt <= 3; attempt++)|]
                        {
                            try
                            {
                                step();
                                step();
                                return;
                            }
                            catch (TimeoutException)
                            {
                                if (attempt == 3)
                                {
                                    throw;
                                }

                                Thread.Sleep(1000);
                            }
                        }

                        throw new InvalidOperationException("Unreachable.");
                    }

                    Console.WriteLine("Disabled.");
                }
            }
            """, """
            using System;
            using System.Threading;
            using Sluice;

            class Job
            {
                void Run(Action step, bool enabled)
                {
                    if (enabled)
                    {
                        SluiceResilience.Retry(_ =>
                        {
                            step();
                            step();
                        }, ex => ex is TimeoutException, maxAttempts: 3);
                        return;
                    }

                    Console.WriteLine("Disabled.");
                }
            }
            """).RunAsync();

    [Fact]
    public Task Fix_All_rewrites_every_loop_of_the_document()
        => Fix("""
            using System;
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

                void Write(string path, string text)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try { File.WriteAllText(path, text); return; }
                        catch (IOException) when (attempt < 3) { Thread.Sleep(100); }
                    }
                }
            }
            """, """
            using System;
            using System.IO;
            using System.Threading;
            using Sluice;

            class Files
            {
                string Read(string path)
                {
                    return SluiceResilience.Retry(_ => File.ReadAllText(path), ex => ex is IOException, maxAttempts: 3);
                }

                void Write(string path, string text)
                {
                    SluiceResilience.Retry(_ => File.WriteAllText(path, text), ex => ex is IOException, maxAttempts: 3);
                }
            }
            """).RunAsync();

    // ---- No fix --------------------------------------------------------------------------------

    private static RuleTest NoFix(string source, params Library[] libraries)
        => Verify.CodeFix<HandRolledRetryAnalyzer, HandRolledRetryCodeFix>(HandRolledRetryCodeFix.UseSluiceRetryKey)
            .WithLibraries([Library.SluiceRuntime, .. libraries])
            .WithSource(source)
            .ExpectNoFix();

    [Fact]
    public Task No_fix_without_the_runtime()
        => Verify.CodeFix<HandRolledRetryAnalyzer, HandRolledRetryCodeFix>(HandRolledRetryCodeFix.UseSluiceRetryKey)
            .WithSource("""
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
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task No_fix_when_the_loop_gives_up_by_falling_out_to_code_of_its_own()
        => NoFix("""
            using System.IO;
            using System.Threading;

            class Files
            {
                string? Read(string path)
                {
                    [|for (var i = 0; i < 3; i++)|]
                    {
                        try { return File.ReadAllText(path); }
                        catch (IOException) { Thread.Sleep(100); }
                    }

                    return null;
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_when_the_try_body_uses_the_counter()
        => NoFix("""
            using System;
            using System.IO;
            using System.Threading;

            class Files
            {
                string Read(string path)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try
                        {
                            Console.WriteLine($"Attempt {attempt}");
                            return File.ReadAllText(path);
                        }
                        catch (IOException) when (attempt < 3) { Thread.Sleep(100); }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_when_the_counter_is_used_after_the_loop()
        => NoFix("""
            using System;
            using System.IO;
            using System.Threading;

            class Files
            {
                void Copy(string from, string to)
                {
                    var attempt = 0;
                    [|while (true)|]
                    {
                        try { File.Copy(from, to); break; }
                        catch (IOException) when (attempt++ < 3) { Thread.Sleep(100); }
                    }

                    Console.WriteLine($"Copied after {attempt} retries");
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_when_the_catch_does_more_than_wait_and_log()
        => NoFix("""
            using System;
            using System.IO;
            using System.Threading;

            class Files
            {
                Stream? stream;

                int Read(Func<Stream> open)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try { stream ??= open(); return stream.ReadByte(); }
                        catch (IOException) when (attempt < 3)
                        {
                            stream = null;
                            Thread.Sleep(100);
                        }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_for_a_continue_in_the_try_body_or_two_catches()
        => NoFix("""
            using System;
            using System.IO;
            using System.Threading;

            class Files
            {
                string Read(string path)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try
                        {
                            var text = File.ReadAllText(path);
                            if (text.Length == 0) continue;
                            return text;
                        }
                        catch (IOException) when (attempt < 3) { Thread.Sleep(100); }
                    }
                }

                string ReadEither(string path)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try { return File.ReadAllText(path); }
                        catch (IOException) when (attempt < 3) { Thread.Sleep(100); }
                        catch (TimeoutException) when (attempt < 3) { Thread.Sleep(100); }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_for_a_limit_that_is_not_a_constant_or_above_the_runtime_limit()
        => NoFix("""
            using System.IO;
            using System.Threading;

            class Files
            {
                string Read(string path, int retries)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try { return File.ReadAllText(path); }
                        catch (IOException) when (attempt < retries) { Thread.Sleep(100); }
                    }
                }

                string ReadHard(string path)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try { return File.ReadAllText(path); }
                        catch (IOException) when (attempt < 1000) { Thread.Sleep(100); }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_when_the_attempt_cannot_become_a_lambda()
        => NoFix("""
            using System;
            using System.IO;
            using System.Threading;

            class Files
            {
                void Read(string path, ref int total)
                {
                    [|for (var attempt = 1; ; attempt++)|]
                    {
                        try { total += File.ReadAllText(path).Length; return; }
                        catch (IOException) when (attempt < 3) { Thread.Sleep(100); }
                    }
                }
            }
            """).RunAsync();
}
