using Sluice.Analyzers.Idempotency;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Idempotency;

namespace Sluice.Analyzers.Tests.Idempotency;

public class SLU404_RetryWithoutJitterTests
{
    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<RetryWithoutJitterAnalyzer>().WithSource(source).WithLibraries(Library.Polly);

    private static RuleTest Fix(string source, string fixedSource)
        => Verify.CodeFix<RetryWithoutJitterAnalyzer, RetryWithoutJitterCodeFix>(RetryWithoutJitterCodeFix.ExponentialWithJitterKey)
            .WithLibraries(Library.Polly)
            .WithSource(source)
            .WithFixedSource(fixedSource);

    [Fact]
    public Task Default_options_wait_a_constant_delay_and_get_an_initializer()
        => Fix("""
            using Polly;
            using Polly.Retry;

            class Pipelines
            {
                ResiliencePipeline Create() => new ResiliencePipelineBuilder().AddRetry({|SLU404:new RetryStrategyOptions()|}).Build();
            }
            """, """
            using Polly;
            using Polly.Retry;

            class Pipelines
            {
                ResiliencePipeline Create() => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions() { BackoffType = DelayBackoffType.Exponential, UseJitter = true }).Build();
            }
            """)
            .WithMessages("This retry waits a constant delay with no jitter, so every client that failed together retries together; use BackoffType = DelayBackoffType.Exponential and UseJitter = true")
            .RunAsync();

    [Fact]
    public Task A_linear_backoff_in_a_multiline_initializer_is_replaced_and_jitter_added_on_its_own_line()
        => Fix("""
            using System;
            using Polly.Retry;

            class Pipelines
            {
                RetryStrategyOptions<int> Create() => [|new()|]
                {
                    MaxRetryAttempts = 4,
                    BackoffType = Polly.DelayBackoffType.Linear,
                    Delay = TimeSpan.FromSeconds(2)
                };
            }
            """, """
            using System;
            using Polly;
            using Polly.Retry;

            class Pipelines
            {
                RetryStrategyOptions<int> Create() => new()
                {
                    MaxRetryAttempts = 4,
                    BackoffType = DelayBackoffType.Exponential,
                    Delay = TimeSpan.FromSeconds(2),
                    UseJitter = true
                };
            }
            """)
            .WithMessages("This retry waits a linear delay with no jitter, so every client that failed together retries together; use BackoffType = DelayBackoffType.Exponential and UseJitter = true")
            .RunAsync();

    [Fact]
    public Task UseJitter_false_is_replaced_and_a_trailing_comma_is_kept()
        => Fix("""
            using Polly;
            using Polly.Retry;

            class Pipelines
            {
                RetryStrategyOptions Create() => [|new RetryStrategyOptions|]
                {
                    UseJitter = false,
                    MaxRetryAttempts = 2,
                };
            }
            """, """
            using Polly;
            using Polly.Retry;

            class Pipelines
            {
                RetryStrategyOptions Create() => new RetryStrategyOptions
                {
                    UseJitter = true,
                    MaxRetryAttempts = 2,
                    BackoffType = DelayBackoffType.Exponential,
                };
            }
            """).RunAsync();

    [Fact]
    public Task Exponential_jitter_custom_delays_zero_delay_subclasses_and_settings_made_elsewhere_are_silent()
        => Analyzer("""
            using System;
            using System.Threading.Tasks;
            using Polly;
            using Polly.Retry;

            class MyRetry : RetryStrategyOptions { }

            class Pipelines
            {
                bool jitter;

                object[] All() =>
                [
                    new RetryStrategyOptions { BackoffType = DelayBackoffType.Exponential },
                    new RetryStrategyOptions { UseJitter = true },
                    new RetryStrategyOptions { UseJitter = jitter },
                    new RetryStrategyOptions { Delay = TimeSpan.Zero },
                    new RetryStrategyOptions { Delay = TimeSpan.FromSeconds(0) },
                    new RetryStrategyOptions { DelayGenerator = _ => ValueTask.FromResult<TimeSpan?>(TimeSpan.FromSeconds(1)) },
                    new MyRetry(),
                ];

                RetryStrategyOptions Later()
                {
                    var options = new RetryStrategyOptions();
                    options.UseJitter = true;
                    return options;
                }

                RetryStrategyOptions Escapes()
                {
                    var options = new RetryStrategyOptions();
                    Configure(options);
                    return options;
                }

                void Configure(RetryStrategyOptions options) => options.BackoffType = DelayBackoffType.Exponential;
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_when_the_backoff_is_set_after_the_initializer()
        => Verify.CodeFix<RetryWithoutJitterAnalyzer, RetryWithoutJitterCodeFix>(RetryWithoutJitterCodeFix.ExponentialWithJitterKey)
            .WithLibraries(Library.Polly)
            .WithSource("""
                using Polly;
                using Polly.Retry;

                class Pipelines
                {
                    RetryStrategyOptions Create()
                    {
                        var options = [|new RetryStrategyOptions()|];
                        options.BackoffType = DelayBackoffType.Linear;
                        return options;
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task Nothing_without_Polly()
        => Verify.Analyzer<RetryWithoutJitterAnalyzer>().WithSource("""
            namespace Polly.Retry { class RetryStrategyOptions { } }

            class Pipelines
            {
                object Create() => new Polly.Retry.RetryStrategyOptions();
            }
            """).RunAsync();

    // ---- Polly v7 ------------------------------------------------------------------------------

    private const string V7Tail = "with no jitter, so every client that failed together retries together; wait an exponentially growing delay with random jitter (a sleepDurationProvider that adds a random part, or a Polly v8 retry with UseJitter = true)";

    [Fact]
    public Task Polly_v7_constant_and_linear_schedules_are_reported_with_no_fix()
        => Verify.CodeFix<RetryWithoutJitterAnalyzer, RetryWithoutJitterCodeFix>(RetryWithoutJitterCodeFix.ExponentialWithJitterKey)
            .WithLibraries(Library.PollyV7)
            .WithSource("""
                using System;
                using Polly;

                class Policies
                {
                    private readonly int _seconds = 3;

                    IAsyncPolicy Listed() => Policy.Handle<TimeoutException>().[|WaitAndRetryAsync|](new[]
                    {
                        TimeSpan.FromSeconds(1),
                        TimeSpan.FromSeconds(2),
                        TimeSpan.FromSeconds(3),
                    });

                    ISyncPolicy Fixed() => Policy.Handle<TimeoutException>().[|WaitAndRetry|](new[] { TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500) });

                    ISyncPolicy Configured() => Policy.Handle<TimeoutException>().[|WaitAndRetry|](3, _ => TimeSpan.FromSeconds(_seconds));

                    IAsyncPolicy Growing() => Policy.Handle<TimeoutException>().[|WaitAndRetryAsync|](4, attempt => TimeSpan.FromSeconds(2 * attempt));

                    IAsyncPolicy FromALocal()
                    {
                        TimeSpan[] delays = [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)];
                        return Policy.Handle<TimeoutException>().[|WaitAndRetryAsync|](delays);
                    }
                }
                """)
            .WithMessages("This retry waits a linear delay " + V7Tail, "This retry waits a constant delay " + V7Tail, "This retry waits a constant delay " + V7Tail,
                "This retry waits a linear delay " + V7Tail, "This retry waits a constant delay " + V7Tail)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task Polly_v7_exponential_random_and_unknown_schedules_are_silent()
        => Verify.Analyzer<RetryWithoutJitterAnalyzer>().WithLibraries(Library.PollyV7).WithSource("""
            using System;
            using System.Collections.Generic;
            using Polly;

            class Policies(IEnumerable<TimeSpan> configured)
            {
                IAsyncPolicy Exponential() => Policy.Handle<TimeoutException>().WaitAndRetryAsync(5, n => TimeSpan.FromSeconds(Math.Pow(2, n)));

                ISyncPolicy Doubling() => Policy.Handle<TimeoutException>().WaitAndRetry(new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4) });

                ISyncPolicy Jittered() => Policy.Handle<TimeoutException>().WaitAndRetry(3, n => TimeSpan.FromMilliseconds(100 * n + Random.Shared.Next(0, 100)));

                ISyncPolicy Configured() => Policy.Handle<TimeoutException>().WaitAndRetry(configured);

                ISyncPolicy NoWait() => Policy.Handle<TimeoutException>().WaitAndRetry(3, _ => TimeSpan.FromSeconds(0));

                ISyncPolicy Immediate() => Policy.Handle<TimeoutException>().Retry(3);
            }
            """).RunAsync();
}
