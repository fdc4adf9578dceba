using Sluice.Analyzers.Reliability;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Reliability;

namespace Sluice.Analyzers.Tests.Reliability;

public class SLU201_SwallowedExceptionFixTests
{
    private static RuleTest Rethrow()
        => Verify.CodeFix<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>(SwallowedExceptionCodeFix.RethrowKey);

    private static RuleTest LogAndRethrow()
        => Verify.CodeFix<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>(SwallowedExceptionCodeFix.LogAndRethrowKey)
            .WithLibraries(Library.Logging);

    // ---- throw; -------------------------------------------------------------------------------

    [Fact]
    public Task Rethrow_fills_an_empty_catch()
        => Rethrow()
            .WithSource("""
                class Job
                {
                    void Run(string[] lines)
                    {
                        foreach (var line in lines)
                        {
                            try { Step(line); }
                            [|catch|]
                            {
                            }
                        }
                    }

                    void Step(string line) { }
                }
                """)
            .WithFixedSource("""
                class Job
                {
                    void Run(string[] lines)
                    {
                        foreach (var line in lines)
                        {
                            try { Step(line); }
                            catch
                            {
                                throw;
                            }
                        }
                    }

                    void Step(string line) { }
                }
                """)
            .RunAsync();

    [Fact]
    public Task Rethrow_replaces_the_return_that_dropped_the_failure_and_keeps_the_other_statements()
        => Rethrow()
            .WithSource("""
                using System;
                using System.Data.Common;

                class Parser
                {
                    int? Count(DbCommand command)
                    {
                        try
                        {
                            return (int?)command.ExecuteScalar();
                        }
                        [|catch (Exception)|]
                        {
                            Console.WriteLine("no count from " + command.CommandText);
                            if (command.CommandText.Length == 0)
                            {
                                return 0;
                            }

                            return null;
                        }
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Data.Common;

                class Parser
                {
                    int? Count(DbCommand command)
                    {
                        try
                        {
                            return (int?)command.ExecuteScalar();
                        }
                        catch (Exception)
                        {
                            Console.WriteLine("no count from " + command.CommandText);
                            if (command.CommandText.Length == 0)
                            {
                                throw;
                            }

                            throw;
                        }
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task Rethrow_replaces_continue_but_leaves_the_break_of_an_inner_loop()
        => Rethrow()
            .WithSource("""
                using System;
                using System.Collections.Generic;

                class Import
                {
                    void Run(IEnumerable<string> lines)
                    {
                        foreach (var line in lines)
                        {
                            try
                            {
                                Save(int.Parse(line));
                            }
                            [|catch (Exception ex)|]
                            {
                                for (var i = 0; i < 3; i++)
                                {
                                    if (i == 1)
                                    {
                                        break;
                                    }
                                }

                                continue;
                            }
                        }
                    }

                    void Save(int value) { }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Collections.Generic;

                class Import
                {
                    void Run(IEnumerable<string> lines)
                    {
                        foreach (var line in lines)
                        {
                            try
                            {
                                Save(int.Parse(line));
                            }
                            catch (Exception ex)
                            {
                                for (var i = 0; i < 3; i++)
                                {
                                    if (i == 1)
                                    {
                                        break;
                                    }
                                }

                                throw;
                            }
                        }
                    }

                    void Save(int value) { }
                }
                """)
            .RunAsync();

    [Fact]
    public Task Rethrow_fixes_every_catch_of_the_project_with_Fix_All()
        => Rethrow()
            .WithSource("""
                using System;

                class A
                {
                    void Run(string[] lines)
                    {
                        foreach (var line in lines)
                        {
                            try { Step(line); }
                            [|catch (Exception)|]
                            {
                            }
                        }

                        foreach (var line in lines)
                        {
                            try { Step(line); }
                            [|catch (FormatException)|]
                            {
                            }
                        }
                    }

                    void Step(string line) { }
                }
                """)
            .WithSource("""
                class B
                {
                    object? Run(System.Data.Common.DbCommand command)
                    {
                        try { return command.ExecuteScalar(); }
                        [|catch|]
                        {
                            return null;
                        }
                    }
                }
                """)
            .WithFixedSource("""
                using System;

                class A
                {
                    void Run(string[] lines)
                    {
                        foreach (var line in lines)
                        {
                            try { Step(line); }
                            catch (Exception)
                            {
                                throw;
                            }
                        }

                        foreach (var line in lines)
                        {
                            try { Step(line); }
                            catch (FormatException)
                            {
                                throw;
                            }
                        }
                    }

                    void Step(string line) { }
                }
                """)
            .WithFixedSource("""
                class B
                {
                    object? Run(System.Data.Common.DbCommand command)
                    {
                        try { return command.ExecuteScalar(); }
                        catch
                        {
                            throw;
                        }
                    }
                }
                """)
            .RunAsync();

    // ---- log and rethrow -----------------------------------------------------------------------

    [Fact]
    public Task Log_and_rethrow_names_the_exception_and_adds_the_logging_using()
        => LogAndRethrow()
            .WithSource("""
                using System;

                namespace Etl;

                class OrderImport(Microsoft.Extensions.Logging.ILogger<OrderImport> logger)
                {
                    void ImportOrders(string[] lines)
                    {
                        foreach (var line in lines)
                        {
                            try
                            {
                                Step(line);
                            }
                            [|catch|]
                            {
                                continue;
                            }
                        }
                    }

                    void Step(string line) { }
                }
                """)
            .WithFixedSource("""
                using System;
                using Microsoft.Extensions.Logging;

                namespace Etl;

                class OrderImport(Microsoft.Extensions.Logging.ILogger<OrderImport> logger)
                {
                    void ImportOrders(string[] lines)
                    {
                        foreach (var line in lines)
                        {
                            try
                            {
                                Step(line);
                            }
                            catch (Exception ex)
                            {
                                logger.LogError(ex, "ImportOrders failed");
                                throw;
                            }
                        }
                    }

                    void Step(string line) { }
                }
                """)
            .RunAsync();

    [Fact]
    public Task Log_and_rethrow_uses_a_logger_field_and_picks_a_free_exception_name()
        => LogAndRethrow()
            .WithSource("""
                using System;
                using Microsoft.Extensions.Logging;

                class Sync
                {
                    private readonly ILogger _logger;

                    public Sync(ILogger logger) => _logger = logger;

                    public void Push(Exception ex, string[] events)
                    {
                        foreach (var change in events)
                        {
                            try
                            {
                                Send(change);
                            }
                            [|catch (InvalidOperationException)|]
                            {
                            }
                        }
                    }

                    void Send(string change) { }
                }
                """)
            .WithFixedSource("""
                using System;
                using Microsoft.Extensions.Logging;

                class Sync
                {
                    private readonly ILogger _logger;

                    public Sync(ILogger logger) => _logger = logger;

                    public void Push(Exception ex, string[] events)
                    {
                        foreach (var change in events)
                        {
                            try
                            {
                                Send(change);
                            }
                            catch (InvalidOperationException exception)
                            {
                                _logger.LogError(exception, "Push failed");
                                throw;
                            }
                        }
                    }

                    void Send(string change) { }
                }
                """)
            .RunAsync();

    [Fact]
    public Task Log_and_rethrow_is_not_offered_without_a_logger_in_scope()
        => LogAndRethrow()
            .WithSource("""
                class Job
                {
                    void Run(string[] lines)
                    {
                        foreach (var line in lines)
                        {
                            try { System.Console.WriteLine(line.Trim()); }
                            [|catch|] { }
                        }
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task Log_and_rethrow_is_not_offered_for_an_instance_logger_in_a_static_method()
        => LogAndRethrow()
            .WithSource("""
                using Microsoft.Extensions.Logging;

                class Job(ILogger<Job> logger)
                {
                    ILogger Logger { get; } = logger;

                    static void Run(string[] lines)
                    {
                        foreach (var line in lines)
                        {
                            try { System.Console.WriteLine(line.Trim()); }
                            [|catch|] { }
                        }
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task Log_and_rethrow_is_not_offered_when_the_logging_library_is_not_referenced()
        => Verify.CodeFix<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>(SwallowedExceptionCodeFix.LogAndRethrowKey)
            .WithSource("""
                class Job
                {
                    interface ILogger { }

                    ILogger? logger;

                    void Run(string[] lines)
                    {
                        foreach (var line in lines)
                        {
                            try { System.Console.WriteLine(line.Trim()); }
                            [|catch|] { }
                        }
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task The_rethrow_fix_is_offered_first_so_dotnet_format_applies_it()
        => Verify.CodeFix<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>()
            .WithLibraries(Library.Logging)
            .WithSource("""
                using Microsoft.Extensions.Logging;

                class Job(ILogger<Job> logger)
                {
                    void Run(string[] lines)
                    {
                        foreach (var line in lines)
                        {
                            try { System.Console.WriteLine(line.Trim()); }
                            [|catch|]
                            {
                            }
                        }
                    }
                }
                """)
            .WithFixedSource("""
                using Microsoft.Extensions.Logging;

                class Job(ILogger<Job> logger)
                {
                    void Run(string[] lines)
                    {
                        foreach (var line in lines)
                        {
                            try { System.Console.WriteLine(line.Trim()); }
                            catch
                            {
                                throw;
                            }
                        }
                    }
                }
                """)
            .RunAsync();

    // ---- dead-letter the record (runtime) --------------------------------------------------------

    [Fact]
    public Task With_the_runtime_the_first_fix_dead_letters_the_record_of_the_loop_and_keeps_going()
        => Verify.CodeFix<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>()
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System;
                using System.Collections.Generic;

                class Import
                {
                    int Run(IEnumerable<string> lines)
                    {
                        var saved = 0;
                        foreach (var line in lines)
                        {
                            try
                            {
                                saved += int.Parse(line);
                            }
                            [|catch|]
                            {
                                continue;
                            }
                        }

                        return saved;
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Collections.Generic;
                using Sluice;

                class Import
                {
                    private static readonly IDeadLetterSink DeadLetterSink = new JsonLinesDeadLetterSink("dead-letters/Import.jsonl");

                    int Run(IEnumerable<string> lines)
                    {
                        var saved = 0;
                        foreach (var line in lines)
                        {
                            try
                            {
                                saved += int.Parse(line);
                            }
                            catch (Exception ex)
                            {
                                DeadLetterSink.Write(DeadLetter.From(line, ex));
                                continue;
                            }
                        }

                        return saved;
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_dead_letter_fix_is_not_offered_outside_a_record_loop_or_without_the_runtime()
        => Verify.CodeFix<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>(SwallowedExceptionCodeFix.DeadLetterKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System;
                using System.Data.Common;

                class Job
                {
                    object? Read(DbCommand command)
                    {
                        try { return command.ExecuteScalar(); }
                        [|catch (Exception)|] { }

                        return null;
                    }

                    object? ReadFirst(DbCommand[] commands)
                    {
                        for (var i = 0; i < commands.Length; i++)
                        {
                            try { return commands[i].ExecuteScalar(); }
                            [|catch (Exception)|] { }
                        }

                        return null;
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    // ---- Unusual shapes ---------------------------------------------------------------------------

    [Fact]
    public Task The_dead_letter_fix_passes_a_dynamic_record_as_an_object_so_the_call_stays_static()
        => Verify.CodeFix<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>(SwallowedExceptionCodeFix.DeadLetterKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System.Collections.Generic;

                class Import
                {
                    void Run(List<dynamic> records)
                    {
                        foreach (var record in records)
                        {
                            try { Write(record); }
                            [|catch|] { }
                        }
                    }

                    void Write(object record) { }
                }
                """)
            .WithFixedSource("""
                using System.Collections.Generic;
                using Sluice;

                class Import
                {
                    private static readonly IDeadLetterSink DeadLetterSink = new JsonLinesDeadLetterSink("dead-letters/Import.jsonl");

                    void Run(List<dynamic> records)
                    {
                        foreach (var record in records)
                        {
                            try { Write(record); }
                            catch (System.Exception ex)
                            {
                                DeadLetterSink.Write(DeadLetter.From((object)record, ex));
                            }
                        }
                    }

                    void Write(object record) { }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_dead_letter_fix_in_a_static_lambda_does_not_pass_a_token_it_cannot_capture()
        => Verify.CodeFix<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>(SwallowedExceptionCodeFix.DeadLetterKey)
            .WithLibraries(Library.SluiceRuntime)
            .WithSource("""
                using System;
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;

                class Import
                {
                    Task Run(IEnumerable<string> lines, CancellationToken token)
                    {
                        Func<IEnumerable<string>, Task> import = static async values =>
                        {
                            foreach (var value in values)
                            {
                                try { await Task.Delay(int.Parse(value)); }
                                [|catch|] { }
                            }
                        };
                        return import(lines);
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Collections.Generic;
                using System.Threading;
                using System.Threading.Tasks;
                using Sluice;

                class Import
                {
                    private static readonly IDeadLetterSink DeadLetterSink = new JsonLinesDeadLetterSink("dead-letters/Import.jsonl");

                    Task Run(IEnumerable<string> lines, CancellationToken token)
                    {
                        Func<IEnumerable<string>, Task> import = static async values =>
                        {
                            foreach (var value in values)
                            {
                                try { await Task.Delay(int.Parse(value)); }
                                catch (Exception ex)
                                {
                                    await DeadLetterSink.WriteAsync(DeadLetter.From(value, ex));
                                }
                            }
                        };
                        return import(lines);
                    }
                }
                """)
            .RunAsync();
}
