using Sluice.Analyzers.Idempotency;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Idempotency;

namespace Sluice.Analyzers.Tests.Idempotency;

public class SLU403_RetryHandlesEveryExceptionTests
{
    private static RuleTest Analyzer(string source, params Library[] libraries)
        => Verify.Analyzer<RetryHandlesEveryExceptionAnalyzer>().WithSource(source).WithLibraries(libraries);

    private static RuleTest Fix(string source, string fixedSource, params Library[] libraries)
        => Verify.CodeFix<RetryHandlesEveryExceptionAnalyzer, RetryHandlesEveryExceptionCodeFix>(RetryHandlesEveryExceptionCodeFix.HandleTransientOnlyKey)
            .WithLibraries([Library.SluiceRuntime, .. libraries])
            .WithSource(source)
            .WithFixedSource(fixedSource);

    // ---- Polly ---------------------------------------------------------------------------------

    [Fact]
    public Task Options_without_ShouldHandle_get_the_transient_predicate()
        => Fix("""
            using Polly;
            using Polly.Retry;

            class Pipelines
            {
                ResiliencePipeline Create() => new ResiliencePipelineBuilder().AddRetry([|new RetryStrategyOptions()|]).Build();

                RetryStrategyOptions<int> Typed() => [|new RetryStrategyOptions<int>|] { MaxRetryAttempts = 2 };
            }
            """, """
            using System;
            using Polly;
            using Polly.Retry;
            using Sluice;

            class Pipelines
            {
                ResiliencePipeline Create() => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions() { ShouldHandle = new PredicateBuilder().Handle<Exception>(SluiceResilience.IsTransient) }).Build();

                RetryStrategyOptions<int> Typed() => new RetryStrategyOptions<int> { MaxRetryAttempts = 2, ShouldHandle = new PredicateBuilder<int>().Handle<Exception>(SluiceResilience.IsTransient) };
            }
            """)
            .WithMessages(
                "This retry (no ShouldHandle: Polly's default) retries every exception, so permanent failures (an ArgumentException, a validation error, a 400) are retried too; retry transient failures only",
                "This retry (no ShouldHandle: Polly's default) retries every exception, so permanent failures (an ArgumentException, a validation error, a 400) are retried too; retry transient failures only")
            .RunAsync();

    [Fact]
    public Task Handle_Exception_in_ShouldHandle_gets_the_transient_filter()
        => Fix("""
            using System;
            using Polly;
            using Polly.Retry;

            class Pipelines
            {
                RetryStrategyOptions Create() => new()
                {
                    ShouldHandle = [|new PredicateBuilder().Handle<Exception>()|],
                };
            }
            """, """
            using System;
            using Polly;
            using Polly.Retry;
            using Sluice;

            class Pipelines
            {
                RetryStrategyOptions Create() => new()
                {
                    ShouldHandle = new PredicateBuilder().Handle<Exception>(SluiceResilience.IsTransient),
                };
            }
            """)
            .WithMessages("'Handle<Exception>()' retries every exception, so permanent failures (an ArgumentException, a validation error, a 400) are retried too; retry transient failures only")
            .RunAsync();

    [Fact]
    public Task Specific_predicates_subclasses_and_other_strategies_are_silent()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading.Tasks;
            using Polly;
            using Polly.CircuitBreaker;
            using Polly.Retry;

            class MyRetry : RetryStrategyOptions { }

            class Pipelines
            {
                object[] All() =>
                [
                    new RetryStrategyOptions { ShouldHandle = new PredicateBuilder().Handle<IOException>() },
                    new RetryStrategyOptions { ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is TimeoutException) },
                    new RetryStrategyOptions { ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is TimeoutException) },
                    new MyRetry(),
                    new CircuitBreakerStrategyOptions { ShouldHandle = new PredicateBuilder().Handle<Exception>() },
                ];

                RetryStrategyOptions Later()
                {
                    var options = new RetryStrategyOptions();
                    options.ShouldHandle = new PredicateBuilder().Handle<TimeoutException>();
                    return options;
                }
            }
            """, Library.Polly).RunAsync();

    [Fact]
    public Task No_fix_for_the_Polly_options_without_the_runtime()
        => Verify.CodeFix<RetryHandlesEveryExceptionAnalyzer, RetryHandlesEveryExceptionCodeFix>(RetryHandlesEveryExceptionCodeFix.HandleTransientOnlyKey)
            .WithLibraries(Library.Polly)
            .WithSource("""
                using Polly.Retry;

                class Pipelines
                {
                    RetryStrategyOptions Create() => [|new RetryStrategyOptions()|];
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    // ---- Retry loops ---------------------------------------------------------------------------

    [Fact]
    public Task A_retry_loop_catching_Exception_gets_a_transient_filter_before_its_counter_check()
        => Fix("""
            using System;
            using System.Threading;

            class Job
            {
                int Run(Func<int> step)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try { return step(); }
                        [|catch (Exception)|] when (attempt < 3) { Thread.Sleep(100); }
                    }
                }

                int RunAll(Func<int> step)
                {
                    var attempt = 0;
                    while (true)
                    {
                        try { return step(); }
                        [|catch|]
                        {
                            if (++attempt == 3) throw;
                            Thread.Sleep(100);
                        }
                    }
                }
            }
            """, """
            using System;
            using System.Threading;
            using Sluice;

            class Job
            {
                int Run(Func<int> step)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try { return step(); }
                        catch (Exception ex) when (SluiceResilience.IsTransient(ex) && attempt < 3) { Thread.Sleep(100); }
                    }
                }

                int RunAll(Func<int> step)
                {
                    var attempt = 0;
                    while (true)
                    {
                        try { return step(); }
                        catch (Exception ex) when (SluiceResilience.IsTransient(ex))
                        {
                            if (++attempt == 3) throw;
                            Thread.Sleep(100);
                        }
                    }
                }
            }
            """)
            .WithMessages(
                "This retry loop's 'catch (Exception)' retries every exception, so permanent failures (an ArgumentException, a validation error, a 400) are retried too; retry transient failures only",
                "This retry loop's 'catch' retries every exception, so permanent failures (an ArgumentException, a validation error, a 400) are retried too; retry transient failures only")
            .RunAsync();

    [Fact]
    public Task Retry_loops_with_a_specific_catch_or_a_condition_on_the_exception_and_plain_catches_are_silent()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading;

            class Job
            {
                int Specific(Func<int> step)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try { return step(); }
                        catch (IOException) when (attempt < 3) { Thread.Sleep(100); }
                    }
                }

                int Filtered(Func<int> step)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try { return step(); }
                        catch (Exception ex) when (ex is TimeoutException && attempt < 3) { Thread.Sleep(100); }
                    }
                }

                void NotARetry(Action step)
                {
                    try { step(); }
                    catch (Exception) { Thread.Sleep(100); }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_readiness_wait_that_retries_every_failure_is_silent()
        => Analyzer("""
            using System;
            using System.Threading;

            static class Startup
            {
                public static void WaitUntilSearchIndexAnswers(Action ping)
                {
                    for (var i = 0; ; i++)
                    {
                        try { ping(); return; }
                        catch when (i < 30) { Thread.Sleep(1000); }
                    }
                }

                public static void EnsureCacheIsWarm(Action ping)
                {
                    for (var i = 0; ; i++)
                    {
                        try { ping(); return; }
                        [|catch|] when (i < 30) { Thread.Sleep(1000); }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task The_readiness_wait_prefixes_are_an_option()
        => Analyzer("""
            using System;
            using System.Threading;

            static class Startup
            {
                public static void EnsureCacheIsWarm(Action ping)
                {
                    for (var i = 0; ; i++)
                    {
                        try { ping(); return; }
                        catch when (i < 30) { Thread.Sleep(1000); }
                    }
                }

                public static void WaitUntilSearchIndexAnswers(Action ping)
                {
                    for (var i = 0; ; i++)
                    {
                        try { ping(); return; }
                        [|catch|] when (i < 30) { Thread.Sleep(1000); }
                    }
                }
            }
            """)
            .WithEditorConfig("sluice.SLU403.readiness_wait_prefixes = Ensure")
            .RunAsync();

    // ---- Polly v7 (the Polly package's Policy API) ---------------------------------------------------

    [Fact]
    public Task Polly_v7_Handle_Exception_in_a_retry_gets_the_transient_predicate()
        => Fix("""
            using System;
            using System.Threading.Tasks;
            using Polly;

            class Commands
            {
                async Task Process(Func<Task> command)
                {
                    var policy = Policy
                        .[|Handle<Exception>()|]
                        .WaitAndRetryAsync(new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4) });
                    await policy.ExecuteAsync(command);
                }

                ISyncPolicy Sync() => Policy.Handle<TimeoutException>().[|Or<Exception>()|].Retry(3);

                IAsyncPolicy<int> Typed() => Policy<int>.[|Handle<SystemException>()|].RetryAsync(2);
            }
            """, """
            using System;
            using System.Threading.Tasks;
            using Polly;
            using Sluice;

            class Commands
            {
                async Task Process(Func<Task> command)
                {
                    var policy = Policy
                        .Handle<Exception>(SluiceResilience.IsTransient)
                        .WaitAndRetryAsync(new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4) });
                    await policy.ExecuteAsync(command);
                }

                ISyncPolicy Sync() => Policy.Handle<TimeoutException>().Or<Exception>(SluiceResilience.IsTransient).Retry(3);

                IAsyncPolicy<int> Typed() => Policy<int>.Handle<SystemException>(SluiceResilience.IsTransient).RetryAsync(2);
            }
            """, Library.PollyV7)
            .WithMessages(
                "'Handle<Exception>()' retries every exception, so permanent failures (an ArgumentException, a validation error, a 400) are retried too; retry transient failures only",
                "'Or<Exception>()' retries every exception, so permanent failures (an ArgumentException, a validation error, a 400) are retried too; retry transient failures only",
                "'Handle<SystemException>()' retries every exception, so permanent failures (an ArgumentException, a validation error, a 400) are retried too; retry transient failures only")
            .RunAsync();

    [Fact]
    public Task Polly_v7_forever_and_inner_handlers_are_reported()
        => Analyzer("""
            using System;
            using Polly;

            class Policies
            {
                IAsyncPolicy Forever() => Policy.[|HandleInner<Exception>()|].WaitAndRetryForeverAsync(_ => TimeSpan.FromSeconds(5));

                ISyncPolicy Immediate() => Policy.[|Handle<Exception>()|].RetryForever();
            }
            """, Library.PollyV7).RunAsync();

    [Fact]
    public Task Polly_v7_specific_or_filtered_handlers_and_other_policies_are_silent()
        => Analyzer("""
            using System;
            using System.IO;
            using Polly;

            class Policies
            {
                ISyncPolicy Specific() => Policy.Handle<IOException>().Or<TimeoutException>().WaitAndRetry(3, n => TimeSpan.FromSeconds(Math.Pow(2, n)));

                ISyncPolicy Filtered() => Policy.Handle<Exception>(e => e.Message.Contains("locked")).Retry(3);

                ISyncPolicy Breaker() => Policy.Handle<Exception>().CircuitBreaker(5, TimeSpan.FromSeconds(30));

                IAsyncPolicy Fallback() => Policy.Handle<Exception>().FallbackAsync(_ => System.Threading.Tasks.Task.CompletedTask);

                PolicyBuilder Unfinished() => Policy.Handle<Exception>();
            }
            """, Library.PollyV7).RunAsync();

    [Fact]
    public Task No_fix_for_Polly_v7_without_the_runtime()
        => Verify.CodeFix<RetryHandlesEveryExceptionAnalyzer, RetryHandlesEveryExceptionCodeFix>(RetryHandlesEveryExceptionCodeFix.HandleTransientOnlyKey)
            .WithLibraries(Library.PollyV7)
            .WithSource("""
                using System;
                using Polly;

                class Policies
                {
                    ISyncPolicy Create() => Policy.[|Handle<Exception>()|].Retry(3);
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task A_catch_filter_that_only_compares_the_attempt_counter_is_no_condition()
        => Fix("""
            using System;
            using System.Threading;

            class Importer
            {
                void Import(Action load)
                {
                    var attempt = 0;
                    while (true)
                    {
                        try
                        {
                            load();
                            return;
                        }
                        [|catch (Exception)|] when (attempt++ < 3)
                        {
                            Thread.Sleep(1000);
                        }
                    }
                }
            }
            """, """
            using System;
            using System.Threading;
            using Sluice;

            class Importer
            {
                void Import(Action load)
                {
                    var attempt = 0;
                    while (true)
                    {
                        try
                        {
                            load();
                            return;
                        }
                        catch (Exception ex) when (SluiceResilience.IsTransient(ex) && attempt++ < 3)
                        {
                            Thread.Sleep(1000);
                        }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_catch_filter_comparing_the_counter_with_a_configured_limit_is_no_condition_either()
        => Analyzer("""
            using System;
            using System.Threading;

            class Importer(int maxAttempts)
            {
                private readonly int _limit = 3;

                void Import(Action load)
                {
                    var attempt = 0;
                    var done = false;
                    while (!done)
                    {
                        try
                        {
                            load();
                            done = true;
                        }
                        [|catch (Exception)|] when (++attempt < _limit)
                        {
                            Thread.Sleep(1000);
                        }
                    }
                }

                void ImportParameter(Action load)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            load();
                            return;
                        }
                        [|catch|] when (attempt < maxAttempts)
                        {
                            Thread.Sleep(1000);
                        }
                    }
                }

                void ImportTransient(Action load)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            load();
                            return;
                        }
                        catch (Exception ex) when (attempt < maxAttempts && ex is TimeoutException)
                        {
                            Thread.Sleep(1000);
                        }
                    }
                }
            }
            """).RunAsync();
}
