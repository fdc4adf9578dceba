using Sluice.Analyzers.Reliability;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Reliability;

namespace Sluice.Analyzers.Tests.Reliability;

public class SLU202_RecordDroppedTests
{
    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<RecordDroppedAnalyzer>().WithSource(source).WithLibraries(Library.Logging);

    // ---- Positives -----------------------------------------------------------------------------

    [Fact]
    public Task Logging_the_exception_object_and_moving_on_in_a_foreach_is_reported()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using Microsoft.Extensions.Logging;

            class Import(ILogger<Import> logger)
            {
                void Run(IEnumerable<string> lines)
                {
                    foreach (var line in lines)
                    {
                        try { Save(line); }
                        [|catch (Exception ex)|] { logger.LogError(ex, "Import of {Line} failed", line); }
                    }
                }

                void Save(string line) { }
            }
            """)
            .WithMessages("'catch (Exception ex)' logs the failure and moves on to the next record, so 'line' is lost: nothing rethrows, retries or dead-letters it")
            .RunAsync();

    [Fact]
    public Task A_specific_exception_logged_then_continue_in_an_await_foreach_is_reported()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;

            class Import(ILogger logger)
            {
                async Task RunAsync(IAsyncEnumerable<string> lines)
                {
                    await foreach (var line in lines)
                    {
                        try { await SaveAsync(line); }
                        [|catch (FormatException)|]
                        {
                            logger.LogWarning("Bad row {Line}", line);
                            continue;
                        }
                    }
                }

                Task SaveAsync(string line) => Task.CompletedTask;
            }
            """).RunAsync();

    [Fact]
    public Task Reader_and_channel_loops_are_record_loops()
        => Analyzer("""
            using System;
            using System.Data.Common;
            using System.Threading.Channels;
            using System.Threading.Tasks;

            class Consumer
            {
                async Task DrainAsync(DbDataReader reader, ChannelReader<string> messages)
                {
                    while (await reader.ReadAsync())
                    {
                        try { Handle(reader.GetString(0)); }
                        [|catch (Exception ex)|] { Console.Error.WriteLine(ex); }
                    }

                    while (messages.TryRead(out var message))
                    {
                        try { Handle(message); }
                        [|catch (InvalidOperationException ex)|] { Console.Error.WriteLine(ex); }
                    }
                }

                void Handle(string value) { }
            }
            """)
            .WithMessages(
                "'catch (Exception ex)' logs the failure and moves on to the next record, so the current record is lost: nothing rethrows, retries or dead-letters it",
                "'catch (InvalidOperationException ex)' logs the failure and moves on to the next record, so 'message' is lost: nothing rethrows, retries or dead-letters it")
            .RunAsync();

    [Fact]
    public Task A_throw_inside_a_lambda_in_the_catch_does_not_keep_the_record()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using Microsoft.Extensions.Logging;

            class Import(ILogger logger)
            {
                Action? rethrowLater;

                void Run(IEnumerable<string> lines)
                {
                    foreach (var line in lines)
                    {
                        try { Save(line); }
                        [|catch (FormatException ex)|]
                        {
                            logger.LogError(ex, "Bad row");
                            rethrowLater = () => throw new InvalidOperationException("bad row", ex);
                        }
                    }
                }

                void Save(string line) { }
            }
            """).RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Theory]
    [InlineData("logger.LogError(ex, \"failed\"); throw;")]
    [InlineData("logger.LogError(ex, \"failed\"); throw new InvalidOperationException(line, ex);")]
    [InlineData("logger.LogError(ex, \"failed\"); deadLetters(line, ex);")]
    [InlineData("logger.LogError(ex, \"failed\"); failed.Add((line, ex));")]
    [InlineData("logger.LogError(ex, \"failed\"); return false;")]
    [InlineData("logger.LogError(ex, \"failed\"); break;")]
    [InlineData("skipped++;")]
    public Task A_catch_that_keeps_stops_or_decides_is_silent(string handler)
        => Analyzer($$"""
            using System;
            using System.Collections.Generic;
            using Microsoft.Extensions.Logging;

            class Import(ILogger logger, Action<string, Exception> deadLetters)
            {
                private readonly List<(string, Exception)> failed = new();
                private int skipped;

                bool Run(IEnumerable<string> lines)
                {
                    foreach (var line in lines)
                    {
                        try { Save(line); }
                        catch (FormatException ex) { {{handler}} }
                    }

                    return true;
                }

                void Save(string line) { }
            }
            """).RunAsync();

    [Fact]
    public Task Failures_collected_in_a_list_the_method_returns_are_silent()
        => Analyzer("""
            using System;
            using System.Collections.Generic;

            class Import
            {
                List<Exception> Run(IEnumerable<string> lines)
                {
                    var failures = new List<Exception>();
                    foreach (var line in lines)
                    {
                        try { Save(line); }
                        catch (FormatException ex)
                        {
                            Console.WriteLine(ex.Message);
                            failures.Add(ex);
                        }
                    }

                    return failures;
                }

                void Save(string line) { }
            }
            """).RunAsync();

    [Fact]
    public Task Retry_loops_a_try_around_the_whole_loop_lambdas_and_cancellation_are_silent()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using Microsoft.Extensions.Logging;

            class Import(ILogger logger)
            {
                void Run(IEnumerable<string> lines, CancellationToken token)
                {
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        try { Save("x"); break; }
                        catch (TimeoutException ex) { logger.LogWarning(ex, "Retrying"); }
                    }

                    try
                    {
                        foreach (var line in lines) { Save(line); }
                    }
                    catch (FormatException ex) { logger.LogError(ex, "Import failed"); }

                    foreach (var line in lines)
                    {
                        Action save = () =>
                        {
                            try { Save(line); }
                            catch (FormatException ex) { logger.LogError(ex, "failed"); }
                        };
                        save();

                        try { Save(line); }
                        catch (OperationCanceledException ex) when (token.IsCancellationRequested) { logger.LogInformation(ex, "Stopping"); }
                    }
                }

                void Save(string line) { }
            }
            """).RunAsync();

    [Fact]
    public Task A_catch_that_SLU201_reports_is_left_to_SLU201()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using Microsoft.Extensions.Logging;

            class Import(ILogger logger)
            {
                void Run(IEnumerable<string> lines)
                {
                    foreach (var line in lines)
                    {
                        try { Save(line); }
                        catch (Exception) { logger.LogWarning("Bad row"); continue; }
                    }
                }

                void Save(string line) { }
            }
            """).RunAsync();

    // ---- Fixes ---------------------------------------------------------------------------------

    [Fact]
    public Task The_dead_letter_fix_uses_the_sink_and_token_in_scope_and_keeps_the_loop_going()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>()
            .WithLibraries(Library.Logging, Library.SluiceRuntime)
            .WithSource("""
                using System;
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using Sluice;

                class Import(ILogger logger, IDeadLetterSink deadLetters)
                {
                    async Task RunAsync(IAsyncEnumerable<string> lines, CancellationToken token)
                    {
                        await foreach (var line in lines)
                        {
                            try
                            {
                                await SaveAsync(line, token);
                            }
                            [|catch (FormatException ex)|]
                            {
                                logger.LogWarning(ex, "Bad row {Line}", line);
                            }
                        }
                    }

                    Task SaveAsync(string line, CancellationToken token) => Task.CompletedTask;
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;
                using Microsoft.Extensions.Logging;
                using Sluice;

                class Import(ILogger logger, IDeadLetterSink deadLetters)
                {
                    async Task RunAsync(IAsyncEnumerable<string> lines, CancellationToken token)
                    {
                        await foreach (var line in lines)
                        {
                            try
                            {
                                await SaveAsync(line, token);
                            }
                            catch (FormatException ex)
                            {
                                await deadLetters.WriteAsync(DeadLetter.From(line, ex), token);
                                logger.LogWarning(ex, "Bad row {Line}", line);
                            }
                        }
                    }

                    Task SaveAsync(string line, CancellationToken token) => Task.CompletedTask;
                }
                """)
            .RunAsync();

    [Fact]
    public Task Fix_All_adds_one_sink_field_for_a_synchronous_job_and_uses_it_everywhere()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.DeadLetterKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System;
                using System.Collections.Generic;

                namespace Etl;

                class OrderImport
                {
                    void Orders(IEnumerable<string> lines)
                    {
                        foreach (var line in lines)
                        {
                            try
                            {
                                Save(line);
                            }
                            [|catch (FormatException ex)|]
                            {
                                Console.Error.WriteLine(ex);
                            }
                        }
                    }

                    void Refunds(IEnumerable<int> ids)
                    {
                        foreach (var id in ids)
                        {
                            try
                            {
                                Refund(id);
                            }
                            [|catch (InvalidOperationException ex)|]
                            {
                                Console.Error.WriteLine(ex);
                                continue;
                            }
                        }
                    }

                    void Save(string line) { }

                    void Refund(int id) { }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Collections.Generic;
                using Sluice;

                namespace Etl;

                class OrderImport
                {
                    private static readonly IDeadLetterSink DeadLetterSink = new JsonLinesDeadLetterSink("dead-letters/OrderImport.jsonl");

                    void Orders(IEnumerable<string> lines)
                    {
                        foreach (var line in lines)
                        {
                            try
                            {
                                Save(line);
                            }
                            catch (FormatException ex)
                            {
                                DeadLetterSink.Write(DeadLetter.From(line, ex));
                                Console.Error.WriteLine(ex);
                            }
                        }
                    }

                    void Refunds(IEnumerable<int> ids)
                    {
                        foreach (var id in ids)
                        {
                            try
                            {
                                Refund(id);
                            }
                            catch (InvalidOperationException ex)
                            {
                                DeadLetterSink.Write(DeadLetter.From(id, ex));
                                Console.Error.WriteLine(ex);
                                continue;
                            }
                        }
                    }

                    void Save(string line) { }

                    void Refund(int id) { }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_rethrow_fix_turns_continue_into_throw_after_logging()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>()
            .WithLibraries(Library.Logging)
            .WithSource("""
                using System;
                using System.Collections.Generic;
                using Microsoft.Extensions.Logging;

                class Import(ILogger logger)
                {
                    void Run(IEnumerable<string> lines)
                    {
                        foreach (var line in lines)
                        {
                            try
                            {
                                Save(line);
                            }
                            [|catch (FormatException ex)|]
                            {
                                logger.LogWarning(ex, "Bad row");
                                continue;
                            }
                        }
                    }

                    void Save(string line) { }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Collections.Generic;
                using Microsoft.Extensions.Logging;

                class Import(ILogger logger)
                {
                    void Run(IEnumerable<string> lines)
                    {
                        foreach (var line in lines)
                        {
                            try
                            {
                                Save(line);
                            }
                            catch (FormatException ex)
                            {
                                logger.LogWarning(ex, "Bad row");
                                throw;
                            }
                        }
                    }

                    void Save(string line) { }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_dead_letter_fix_is_not_offered_without_the_runtime_or_without_a_record_variable()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.DeadLetterKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System;
                using System.Data.Common;

                class Consumer
                {
                    void Drain(DbDataReader reader)
                    {
                        while (reader.Read())
                        {
                            try { Handle(reader.GetString(0)); }
                            [|catch (Exception ex)|] { Console.Error.WriteLine(ex); }
                        }
                    }

                    void Handle(string value) { }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task The_dead_letter_fix_is_not_offered_without_the_runtime()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.DeadLetterKey)
            .WithSource("""
                using System;
                using System.Collections.Generic;

                class Import
                {
                    void Run(IEnumerable<string> lines)
                    {
                        foreach (var line in lines)
                        {
                            try { Save(line); }
                            [|catch (FormatException ex)|] { Console.Error.WriteLine(ex); }
                        }
                    }

                    void Save(string line) { }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    // ---- Unusual shapes ---------------------------------------------------------------------------

    [Fact]
    public Task The_dead_letter_fix_is_not_offered_for_a_span_record_which_cannot_be_a_type_argument()
        => Verify.CodeFix<RecordDroppedAnalyzer, RecordDroppedCodeFix>(RecordDroppedCodeFix.DeadLetterKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System;

                class Import
                {
                    void Run(string text)
                    {
                        foreach (var line in text.AsSpan().EnumerateLines())
                        {
                            try { Console.WriteLine(int.Parse(line)); }
                            [|catch (FormatException ex)|] { Console.Error.WriteLine(ex); }
                        }
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();
}
