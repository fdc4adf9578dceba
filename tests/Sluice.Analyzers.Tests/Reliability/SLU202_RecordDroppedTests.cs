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
    public Task A_broker_consume_loop_is_a_record_loop()
        => Analyzer("""
            using System;
            using System.Threading;
            using Confluent.Kafka;
            using Microsoft.Extensions.Logging;

            namespace Confluent.Kafka
            {
                public class ConsumeResult<TKey, TValue> { public TValue Value { get; set; } = default!; }

                public interface IConsumer<TKey, TValue>
                {
                    ConsumeResult<TKey, TValue> Consume(CancellationToken token);

                    void Commit(ConsumeResult<TKey, TValue> result);
                }
            }

            namespace Billing
            {
                class Payments(ILogger logger, IConsumer<string, string> consumer)
                {
                    void Run(CancellationToken token)
                    {
                        while (!token.IsCancellationRequested)
                        {
                            var payment = consumer.Consume(token);
                            try { Book(payment.Value); }
                            [|catch (FormatException ex)|] { logger.LogError(ex, "Unreadable payment"); }

                            consumer.Commit(payment);
                        }
                    }

                    void Book(string payment) { }
                }
            }
            """)
            .WithMessages("'catch (FormatException ex)' logs the failure and moves on to the next record, so 'payment' is lost: nothing rethrows, retries or dead-letters it")
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

    [Fact]
    public Task Loops_over_services_handlers_providers_and_disposables_are_not_record_loops()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;

            public interface IChangeHandler { Task OnChangeAsync(string change); }

            public interface IRatesProvider { Task<decimal?> RateAsync(string currency); }

            public class Hub(ILogger logger)
            {
                private readonly List<IDisposable> _parts = new();

                public async Task PublishAsync(IEnumerable<IChangeHandler> handlers, string change)
                {
                    foreach (var handler in handlers)
                    {
                        try { await handler.OnChangeAsync(change); }
                        catch (Exception ex) { logger.LogError(ex, "Handler failed"); }
                    }
                }

                public async Task<decimal?> RateAsync(IRatesProvider[] providers, string currency)
                {
                    foreach (var provider in providers)
                    {
                        try
                        {
                            var rate = await provider.RateAsync(currency);
                            if (rate is not null)
                            {
                                return rate;
                            }
                        }
                        catch (Exception ex) { logger.LogWarning(ex, "Provider failed, trying the next one"); }
                    }

                    return null;
                }

                public void Shutdown()
                {
                    foreach (var part in _parts)
                    {
                        try { part.Dispose(); }
                        catch (Exception ex) { logger.LogError(ex, "Dispose failed"); }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Reflection_scans_and_file_system_walks_are_not_record_loops()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Reflection;
            using Microsoft.Extensions.Logging;

            public class PluginScanner(ILogger logger)
            {
                public void Load(string folder)
                {
                    foreach (var file in Directory.GetFiles(folder, "*.dll"))
                    {
                        try { Assembly.LoadFrom(file); }
                        catch (BadImageFormatException ex) { logger.LogWarning(ex, "Not a .NET assembly: {File}", file); }
                    }

                    foreach (var type in typeof(PluginScanner).Assembly.GetTypes())
                    {
                        try { Activator.CreateInstance(type); }
                        catch (MissingMethodException ex) { logger.LogDebug(ex, "Skipped {Type}", type); }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_catch_that_marks_the_record_failed_or_counts_the_failure_keeps_it()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;

            public sealed record OutboxEntry(Guid Id, string Payload);

            public interface IOutbox { Task MarkFailedAsync(Guid id); }

            public sealed class RunResult { public int Failures { get; set; } public string? LastError { get; set; } }

            public class Relay(ILogger logger, IOutbox outbox)
            {
                public async Task RelayAsync(IQueryable<OutboxEntry> pending, Func<string, Task> publish)
                {
                    foreach (var entry in pending)
                    {
                        try { await publish(entry.Payload); }
                        catch (Exception ex)
                        {
                            logger.LogError(ex, "Publishing {Id} failed", entry.Id);
                            await outbox.MarkFailedAsync(entry.Id);
                        }
                    }
                }

                public RunResult Replay(IEnumerable<string> lines, Action<string> apply)
                {
                    var result = new RunResult();
                    foreach (var line in lines)
                    {
                        try { apply(line); }
                        catch (FormatException ex)
                        {
                            logger.LogWarning(ex, "Bad line");
                            result.Failures++;
                        }
                    }

                    return result;
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_list_of_application_objects_handed_in_is_not_a_record_batch()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;

            public class TunerSettings
            {
                public string Url { get; set; } = "";
                public int Port { get; set; }
            }

            public class Tuners(ILogger logger)
            {
                public async Task<List<string>> ChannelsAsync(List<TunerSettings> tuners, Func<TunerSettings, Task<string[]>> list)
                {
                    var channels = new List<string>();
                    foreach (var tuner in tuners)
                    {
                        try { channels.AddRange(await list(tuner)); }
                        catch (Exception ex) { logger.LogError(ex, "Tuner {Url} failed", tuner.Url); }
                    }

                    return channels;
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_catch_that_falls_through_to_more_work_on_the_record_and_a_channel_of_signals_are_silent()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Threading.Channels;
            using Microsoft.Extensions.Logging;

            public class Images(ILogger logger)
            {
                public void Import(IEnumerable<string> paths, Action<string, long> save)
                {
                    foreach (var path in paths)
                    {
                        long size = 0;
                        try { size = new FileInfo(path).Length; }
                        catch (IOException ex) { logger.LogWarning(ex, "Cannot size {Path}", path); }

                        save(path, size);
                    }
                }

                public void Pump(ChannelReader<bool> refresh, Action push)
                {
                    while (refresh.TryRead(out var force))
                    {
                        try { push(); }
                        catch (Exception ex) { logger.LogError(ex, "Push failed"); }
                    }
                }
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
