using Sluice.Analyzers.Reliability;
using Sluice.Analyzers.Tests.Harness;

namespace Sluice.Analyzers.Tests.Reliability;

public class SLU201_SwallowedExceptionTests
{
    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<SwallowedExceptionAnalyzer>().WithSource(source);

    // ---- The smallest positives -------------------------------------------------------------

    [Fact]
    public Task Empty_catch_all_is_reported_on_the_catch_keyword()
        => Analyzer("""
            class Job
            {
                void Run()
                {
                    try { Step(); }
                    [|catch|] { }
                }

                void Step() { }
            }
            """)
            .WithMessages("'catch' swallows the exception: the block is empty, so the failure disappears without a trace")
            .RunAsync();

    [Fact]
    public Task Catch_Exception_that_returns_null_is_reported_on_the_catch_and_its_declaration()
        => Analyzer("""
            using System;

            class Parser
            {
                object? Parse(string line)
                {
                    try { return int.Parse(line); }
                    [|catch (Exception)|] { return null; }
                }
            }
            """)
            .WithMessages("'catch (Exception)' swallows the exception: it is not rethrown, logged with the exception object, or passed on, so the failure disappears without a trace")
            .RunAsync();

    [Fact]
    public Task Catch_SystemException_that_returns_false_is_reported()
        => Analyzer("""
            using System;

            class Loader
            {
                bool TryLoad(string path)
                {
                    try { System.IO.File.ReadAllBytes(path); return true; }
                    [|catch (SystemException)|] { return false; }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Unused_exception_variable_with_continue_in_a_record_loop_is_reported()
        => Analyzer("""
            using System;
            using System.Collections.Generic;

            class Import
            {
                void Run(IEnumerable<string> lines)
                {
                    foreach (var line in lines)
                    {
                        try { Save(int.Parse(line)); }
                        [|catch (Exception ex)|] { continue; }
                    }
                }

                void Save(int value) { }
            }
            """).RunAsync();

    [Fact]
    public Task Break_only_is_reported()
        => Analyzer("""
            using System;

            class Poller
            {
                void Run()
                {
                    while (true)
                    {
                        try { Poll(); }
                        [|catch (Exception)|] { break; }
                    }
                }

                void Poll() { }
            }
            """).RunAsync();

    [Fact]
    public Task Empty_catch_of_a_specific_type_is_reported()
        => Analyzer("""
            using System;

            class Parser
            {
                int value;

                void Parse(string text)
                {
                    try { value = int.Parse(text); }
                    [|catch (FormatException)|] { }
                }
            }
            """)
            .WithMessages("'catch (FormatException)' swallows the exception: the block is empty, so the failure disappears without a trace")
            .RunAsync();

    [Fact]
    public Task Logging_only_the_message_is_reported_with_its_own_reason()
        => Analyzer("""
            using System;

            class Import
            {
                void Run()
                {
                    try { Step(); }
                    [|catch (Exception ex)|] { Console.WriteLine("failed: " + ex.Message); }
                }

                void Step() { }
            }
            """)
            .WithMessages("'catch (Exception ex)' swallows the exception: only its message is read, so the type and stack trace are lost and nothing rethrows, logs or passes on the exception")
            .RunAsync();

    [Fact]
    public Task Cancellation_caught_with_no_token_in_the_try_is_reported_as_a_hidden_timeout()
        => Analyzer("""
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;

            class Client
            {
                async Task<string?> FetchAsync(HttpClient http)
                {
                    try { return await http.GetStringAsync("https://example.invalid/"); }
                    [|catch (OperationCanceledException)|] { }
                    return null;
                }
            }
            """)
            .WithMessages("'catch (OperationCanceledException)' swallows the exception: no CancellationToken is passed in the try block, so this hides timeouts (such as HttpClient.Timeout), not a requested cancellation")
            .RunAsync();

    [Fact]
    public Task Testing_the_exception_type_in_a_filter_or_the_block_does_not_count_as_observing_it()
        => Analyzer("""
            using System;
            using System.Net.Http;

            class Client
            {
                void Run()
                {
                    try { Step(); }
                    [|catch (Exception ex)|] when (ex is HttpRequestException) { }

                    try { Step(); }
                    [|catch (Exception ex)|]
                    {
                        if (ex is TimeoutException or HttpRequestException { StatusCode: not null })
                        {
                            return;
                        }
                    }
                }

                void Step() { }
            }
            """).RunAsync();

    [Fact]
    public Task A_throw_inside_a_lambda_does_not_count_as_rethrowing()
        => Analyzer("""
            using System;

            class Job
            {
                Action? onFailure;

                void Run()
                {
                    try { Step(); }
                    [|catch (Exception)|] { onFailure = () => throw new InvalidOperationException(); }
                }

                void Step() { }
            }
            """).RunAsync();

    [Fact]
    public Task Catches_in_lambdas_and_top_level_statements_are_reported()
        => Analyzer("""
            using System;

            Action work = () =>
            {
                try { Console.WriteLine(); }
                [|catch|] { }
            };

            try { work(); }
            [|catch (Exception)|] { return; }
            """)
            .AsExecutable()
            .RunAsync();

    // ---- Near misses that must stay silent -----------------------------------------------

    [Theory]
    [InlineData("throw;")]
    [InlineData("throw new InvalidOperationException(\"import failed\", ex);")]
    [InlineData("Report(ex);")]
    [InlineData("lastError = ex;")]
    [InlineData("Console.WriteLine($\"failed: {ex}\");")]
    [InlineData("Console.WriteLine(ex.ToString());")]
    [InlineData("if (ex is TimeoutException) { return; } throw;")]
    [InlineData("System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex).Throw();")]
    [InlineData("Environment.FailFast(\"ledger corrupt\");")]
    [InlineData("Environment.Exit(2);")]
    public Task A_catch_that_rethrows_throws_or_passes_the_exception_on_is_silent(string handler)
        => Analyzer($$"""
            using System;

            class Job
            {
                Exception? lastError;

                void Run()
                {
                    try { Step(); }
                    catch (Exception ex) { {{handler}} }
                }

                void Step() { }

                void Report(Exception exception) { }
            }
            """).RunAsync();

    [Fact]
    public Task Logging_the_exception_object_is_silent()
        => Analyzer("""
            using System;
            using Microsoft.Extensions.Logging;

            class Job(ILogger<Job> logger)
            {
                void Run()
                {
                    try { Step(); }
                    catch (Exception ex) { logger.LogError(ex, "Step failed"); }
                }

                void Step() { }
            }
            """)
            .WithLibraries(Library.Logging)
            .RunAsync();

    [Fact]
    public Task A_specific_exception_handled_with_a_fallback_value_is_silent()
        => Analyzer("""
            using System.IO;

            class Settings
            {
                static readonly string Defaults = "{}";

                string Load(string path)
                {
                    try { return File.ReadAllText(path); }
                    catch (FileNotFoundException) { return Defaults; }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Cancellation_caught_under_a_token_check_is_silent()
        => Analyzer("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Worker
            {
                async Task RunAsync(Func<Task> step, CancellationToken token)
                {
                    try { await step(); }
                    catch (OperationCanceledException) when (token.IsCancellationRequested) { }

                    try { await step(); }
                    catch (Exception) when (token.IsCancellationRequested) { }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Cancellation_caught_around_a_call_that_honours_a_token_is_silent()
        => Analyzer("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Worker
            {
                async Task RunAsync(CancellationToken stoppingToken)
                {
                    try { await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken); }
                    catch (TaskCanceledException) { }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Dead_lettering_the_record_with_the_exception_is_silent()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class Import
            {
                async Task RunAsync(IEnumerable<string> records, Func<string, Exception, Task> deadLetters)
                {
                    foreach (var record in records)
                    {
                        try { await SaveAsync(record); }
                        catch (Exception ex) when (ex is not OperationCanceledException) { await deadLetters(record, ex); }
                    }
                }

                Task SaveAsync(string record) => Task.CompletedTask;
            }
            """).RunAsync();

    [Fact]
    public Task An_exception_handed_to_a_filter_is_silent()
        => Analyzer("""
            using System;

            class Job
            {
                void Run()
                {
                    try { Step(); }
                    catch (Exception ex) when (Log(ex)) { }
                }

                static bool Log(Exception ex) { Console.Error.WriteLine(ex); return true; }

                void Step() { }
            }
            """).RunAsync();

    [Fact]
    public Task Generated_code_is_not_analyzed()
        => Analyzer("""
            // <auto-generated/>
            class Generated
            {
                void Run()
                {
                    try { }
                    catch { }
                }
            }
            """).RunAsync();

    // ---- Options ---------------------------------------------------------------------------

    private const string CommentedCatch = """
        using System.IO;

        class Cache
        {
            void Warm(string path)
            {
                try { File.ReadAllBytes(path); }
                {|SLU201:catch (IOException)|} { /* best effort: a cold cache only costs latency */ }
            }
        }
        """;

    [Fact]
    public Task A_justification_comment_does_not_exempt_by_default()
        => Analyzer(CommentedCatch).RunAsync();

    [Fact]
    public Task A_justification_comment_exempts_when_allowed()
        => Analyzer(CommentedCatch.Replace("{|SLU201:", "").Replace("|}", ""))
            .WithEditorConfig("sluice.SLU201.allow_justification_comment = true")
            .RunAsync();

    [Fact]
    public Task An_empty_catch_without_a_comment_stays_reported_when_justification_is_allowed()
        => Analyzer("""
            class Job
            {
                void Run()
                {
                    try { }
                    [|catch|] { }
                }
            }
            """)
            .WithEditorConfig("sluice.SLU201.allow_justification_comment = true")
            .RunAsync();

    [Fact]
    public Task The_justification_prefix_is_required_when_set()
        => Analyzer("""
            using System.IO;

            class Cache
            {
                void Warm(string path)
                {
                    try { File.ReadAllBytes(path); }
                    [|catch (IOException)|] { /* TODO */ }

                    try { File.ReadAllBytes(path); }
                    catch (IOException)
                    {
                        // Justified: a cold cache only costs latency.
                    }
                }
            }
            """)
            .WithEditorConfig("sluice.SLU201.allow_justification_comment = true", "sluice.SLU201.justification_prefix = justified:")
            .RunAsync();

    [Fact]
    public Task Severity_is_configurable_in_editorconfig()
        => Analyzer("""
            class Job
            {
                void Run()
                {
                    try { }
                    catch { }
                }
            }
            """)
            .WithEditorConfig("dotnet_diagnostic.SLU201.severity = none")
            .RunAsync();

    private const string TryPattern = """
        using System;

        static class OrderParser
        {
            /// <summary>Parses an order id; returns false when the text is not one.</summary>
            public static bool TryParseOrder(string text, out long id)
            {
                try
                {
                    id = long.Parse(text);
                    return true;
                }
                MARK_START catch (Exception) MARK_END
                {
                    id = 0;
                    return false;
                }
            }
        }
        """;

    [Fact]
    public Task A_retry_loops_catch_is_silent_when_the_loop_gives_up_by_rethrowing_or_never_gives_up()
        => Analyzer("""
            using System;
            using System.Threading;

            class Sender
            {
                void SendOrThrow(Action send)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            send();
                            return;
                        }
                        catch (Exception) when (attempt < 3)
                        {
                            Thread.Sleep(100);
                        }
                    }
                }

                void SendForever(Action send)
                {
                    while (true)
                    {
                        try
                        {
                            send();
                            return;
                        }
                        catch
                        {
                            Thread.Sleep(1000);
                        }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_retry_loops_catch_is_reported_when_the_loop_falls_out_and_loses_the_last_failure()
        => Analyzer("""
            using System;
            using System.Threading;

            class Sender
            {
                bool Send(Action send)
                {
                    for (var attempt = 1; attempt <= 3; attempt++)
                    {
                        try
                        {
                            send();
                            return true;
                        }
                        [|catch (Exception)|]
                        {
                            Thread.Sleep(100);
                        }
                    }

                    return false;
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_Try_pattern_method_is_still_reported_because_the_failure_is_invisible()
        => Analyzer(TryPattern.Replace("MARK_START ", "[|").Replace(" MARK_END", "|]")).RunAsync();

    [Theory]
    [InlineData("TryParseOrder")]
    [InlineData("OrderParser.TryParseOrder")]
    [InlineData("Load, TryParse*")]
    public Task allowed_methods_exempts_the_listed_methods(string allowed)
        => Analyzer(TryPattern.Replace("MARK_START ", "").Replace(" MARK_END", ""))
            .WithEditorConfig($"sluice.SLU201.allowed_methods = {allowed}")
            .RunAsync();

    [Fact]
    public Task allowed_methods_does_not_exempt_other_methods()
        => Analyzer(TryPattern.Replace("MARK_START ", "[|").Replace(" MARK_END", "|]"))
            .WithEditorConfig("sluice.SLU201.allowed_methods = TryParseCustomer, Parse*")
            .RunAsync();
}
