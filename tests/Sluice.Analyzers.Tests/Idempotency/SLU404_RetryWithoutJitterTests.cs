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
}
