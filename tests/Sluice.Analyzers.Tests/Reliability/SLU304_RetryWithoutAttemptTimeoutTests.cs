using Sluice.Analyzers.Reliability;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Reliability;

namespace Sluice.Analyzers.Tests.Reliability;

public class SLU304_RetryWithoutAttemptTimeoutTests
{
    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<RetryWithoutAttemptTimeoutAnalyzer>().WithSource(source).WithLibraries(Library.Polly);

    private static RuleTest Fix()
        => Verify.CodeFix<RetryWithoutAttemptTimeoutAnalyzer, RetryWithoutAttemptTimeoutCodeFix>(RetryWithoutAttemptTimeoutCodeFix.AddTimeoutKey)
            .WithLibraries(Library.Polly);

    // ---- Positives -----------------------------------------------------------------------------

    [Fact]
    public Task A_built_pipeline_with_a_retry_and_no_timeout_is_reported_on_AddRetry()
        => Analyzer("""
            using Polly;
            using Polly.Retry;

            class Pipelines
            {
                ResiliencePipeline Create() => [|new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions())|].Build();
            }
            """)
            .WithMessages("This retry has no timeout after it, so one hung attempt stalls every retry; add AddTimeout after AddRetry")
            .RunAsync();

    [Fact]
    public Task A_timeout_only_before_the_retry_is_reported_as_a_total_timeout()
        => Analyzer("""
            using System;
            using Polly;
            using Polly.Retry;

            class Pipelines
            {
                ResiliencePipeline<int> Create()
                    => [|new ResiliencePipelineBuilder<int>()
                        .AddTimeout(TimeSpan.FromMinutes(5))
                        .AddRetry(new RetryStrategyOptions<int>())|]
                        .Build();
            }
            """)
            .WithMessages("This retry has no timeout after it, so one hung attempt stalls every retry (the timeout added before it bounds only the total time); add AddTimeout after AddRetry")
            .RunAsync();

    [Fact]
    public Task A_builder_variable_that_never_gets_a_timeout_after_the_retry_is_reported()
        => Analyzer("""
            using System;
            using Polly;
            using Polly.Retry;

            class Pipelines
            {
                ResiliencePipeline Create()
                {
                    var builder = new ResiliencePipelineBuilder();
                    builder.AddTimeout(TimeSpan.FromMinutes(5));
                    [|builder.AddRetry(new RetryStrategyOptions())|];
                    return builder.Build();
                }
            }
            """).RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Fact]
    public Task A_timeout_after_the_retry_in_the_chain_is_silent_even_with_strategies_between()
        => Analyzer("""
            using System;
            using Polly;
            using Polly.CircuitBreaker;
            using Polly.Retry;

            class Pipelines
            {
                ResiliencePipeline Create() => new ResiliencePipelineBuilder()
                    .AddRetry(new RetryStrategyOptions())
                    .AddCircuitBreaker(new CircuitBreakerStrategyOptions())
                    .AddTimeout(TimeSpan.FromSeconds(10))
                    .Build();
            }
            """).RunAsync();

    [Fact]
    public Task A_timeout_added_to_the_builder_variable_after_the_retry_is_silent()
        => Analyzer("""
            using System;
            using Polly;
            using Polly.Retry;

            class Pipelines
            {
                ResiliencePipeline Create()
                {
                    var builder = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions());
                    builder.AddTimeout(TimeSpan.FromSeconds(10));
                    return builder.Build();
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_builder_handed_to_code_the_rule_cannot_see_is_silent_unless_this_method_builds_it()
        => Analyzer("""
            using Polly;
            using Polly.Retry;

            class Pipelines
            {
                ResiliencePipeline Create()
                {
                    var builder = new ResiliencePipelineBuilder();
                    builder.AddRetry(new RetryStrategyOptions());
                    AddDefaults(builder);
                    return builder.Build();
                }

                void Configure(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions());

                static void AddDefaults(ResiliencePipelineBuilder builder) { }

                static ResiliencePipeline Build(ResiliencePipelineBuilder builder)
                {
                    [|builder.AddRetry(new RetryStrategyOptions())|];
                    return builder.Build();
                }
            }
            """).RunAsync();

    [Fact]
    public Task Nothing_is_reported_without_Polly()
        => Verify.Analyzer<RetryWithoutAttemptTimeoutAnalyzer>()
            .WithSource("""
                class Builder
                {
                    public Builder AddRetry(object options) => this;

                    public object Build() => new();
                }

                class Pipelines
                {
                    object Create() => new Builder().AddRetry(new object()).Build();
                }
                """)
            .RunAsync();

    // ---- Fixes -----------------------------------------------------------------------------------

    [Fact]
    public Task The_fix_adds_the_timeout_on_its_own_line_in_a_one_call_per_line_chain()
        => Fix()
            .WithSource("""
                using System;
                using Polly;
                using Polly.Retry;

                class Pipelines
                {
                    ResiliencePipeline Create() => [|new ResiliencePipelineBuilder()
                        .AddTimeout(TimeSpan.FromMinutes(5))
                        .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 3 })|]
                        .Build();
                }
                """)
            .WithFixedSource("""
                using System;
                using Polly;
                using Polly.Retry;

                class Pipelines
                {
                    ResiliencePipeline Create() => new ResiliencePipelineBuilder()
                        .AddTimeout(TimeSpan.FromMinutes(5))
                        .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 3 })
                        .AddTimeout(TimeSpan.FromSeconds(10))
                        .Build();
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_fix_appends_to_a_statement_and_to_a_one_line_chain_and_fixes_all()
        => Fix()
            .WithSource("""
                using System;
                using Polly;
                using Polly.Retry;

                class Pipelines
                {
                    ResiliencePipeline<string> Typed() => [|new ResiliencePipelineBuilder<string>().AddRetry(new RetryStrategyOptions<string>())|].Build();

                    ResiliencePipeline Create()
                    {
                        var builder = new ResiliencePipelineBuilder();
                        [|builder.AddRetry(new RetryStrategyOptions())|];
                        return builder.Build();
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using Polly;
                using Polly.Retry;

                class Pipelines
                {
                    ResiliencePipeline<string> Typed() => new ResiliencePipelineBuilder<string>().AddRetry(new RetryStrategyOptions<string>()).AddTimeout(TimeSpan.FromSeconds(10)).Build();

                    ResiliencePipeline Create()
                    {
                        var builder = new ResiliencePipelineBuilder();
                        builder.AddRetry(new RetryStrategyOptions()).AddTimeout(TimeSpan.FromSeconds(10));
                        return builder.Build();
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_fix_adds_using_Polly_when_the_retry_was_called_by_its_full_name()
        => Fix()
            .WithEditorConfig("sluice.SLU304.attempt_timeout_seconds = 3")
            .WithSource("""
                class Pipelines
                {
                    Polly.ResiliencePipeline Create()
                        => [|Polly.RetryResiliencePipelineBuilderExtensions.AddRetry(new Polly.ResiliencePipelineBuilder(), new Polly.Retry.RetryStrategyOptions())|].Build();
                }
                """)
            .WithFixedSource("""
                using Polly;

                class Pipelines
                {
                    Polly.ResiliencePipeline Create()
                        => Polly.RetryResiliencePipelineBuilderExtensions.AddRetry(new Polly.ResiliencePipelineBuilder(), new Polly.Retry.RetryStrategyOptions()).AddTimeout(System.TimeSpan.FromSeconds(3)).Build();
                }
                """)
            .RunAsync();

    // ---- Polly v7 ------------------------------------------------------------------------------

    private const string V7Message = "This retry has no timeout inside it, so one hung attempt stalls every retry{0}; wrap a timeout inside it (Policy.WrapAsync(retry, Policy.TimeoutAsync(...)))";

    [Fact]
    public Task A_Polly_v7_retry_executing_I_O_with_no_timeout_inside_is_reported_with_no_fix()
        => Fix()
            .WithLibraries(Library.PollyV7)
            .WithSource("""
                using System;
                using System.Net.Http;
                using System.Threading.Tasks;
                using Polly;

                class Client(HttpClient http)
                {
                    async Task<string> Fetch(string url)
                    {
                        var retry = Policy.Handle<HttpRequestException>()
                            .[|WaitAndRetryAsync|](3, n => TimeSpan.FromSeconds(Math.Pow(2, n)));
                        return await retry.ExecuteAsync(() => http.GetStringAsync(url));
                    }

                    Task<HttpResponseMessage> Inline(string url)
                        => Policy.Handle<HttpRequestException>().[|RetryAsync|](2).ExecuteAsync(async () => await http.GetAsync(url));

                    async Task TotalOnly(string url)
                    {
                        var retry = Policy.Handle<HttpRequestException>().[|RetryAsync|](2);
                        var wrapped = Policy.WrapAsync(Policy.TimeoutAsync(TimeSpan.FromMinutes(1)), retry);
                        await retry.ExecuteAsync(() => http.GetAsync(url));
                        await wrapped.ExecuteAsync(() => http.GetAsync(url));
                    }
                }
                """)
            .WithMessages(
                string.Format(V7Message, ""),
                string.Format(V7Message, ""),
                string.Format(V7Message, " (the timeout wrapped outside it bounds only the total time)"))
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task A_Polly_v7_retry_with_a_timeout_inside_or_no_visible_I_O_or_that_leaves_the_method_is_silent()
        => Verify.Analyzer<RetryWithoutAttemptTimeoutAnalyzer>().WithLibraries(Library.PollyV7).WithSource("""
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;
            using Polly;

            class Client(HttpClient http)
            {
                async Task Wrapped(string url)
                {
                    var retry = Policy.Handle<HttpRequestException>().RetryAsync(2);
                    var timeout = Policy.TimeoutAsync(TimeSpan.FromSeconds(10));
                    var policy = Policy.WrapAsync(retry, timeout);
                    await policy.ExecuteAsync(() => http.GetAsync(url));
                }

                async Task WrappedByInstance(string url)
                {
                    var retry = Policy.Handle<HttpRequestException>().RetryAsync(2);
                    await retry.WrapAsync(Policy.TimeoutAsync(TimeSpan.FromSeconds(10))).ExecuteAsync(() => http.GetAsync(url));
                }

                async Task NoIo(Func<Task> work)
                {
                    var retry = Policy.Handle<TimeoutException>().RetryAsync(2);
                    await retry.ExecuteAsync(() => work());
                }

                IAsyncPolicy Returned() => Policy.Handle<HttpRequestException>().RetryAsync(2);

                async Task Handed(string url, Func<IAsyncPolicy, Task> use)
                {
                    var retry = Policy.Handle<HttpRequestException>().RetryAsync(2);
                    await use(retry);
                    await retry.ExecuteAsync(() => http.GetAsync(url));
                }
            }
            """).RunAsync();
}
