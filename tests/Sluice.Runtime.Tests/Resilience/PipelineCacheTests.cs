using Microsoft.Extensions.Time.Testing;

namespace Sluice.Runtime.Tests.Resilience;

/// <summary>The retry and timeout helpers reuse their Polly pipelines where sharing one cannot change behaviour.</summary>
public class PipelineCacheTests
{
    [Fact]
    public void The_built_in_classifier_with_the_system_clock_reuses_one_pipeline_per_attempt_count()
    {
        var first = SluiceResilience.CreateRetryPipeline(SluiceResilience.IsTransient, 4, TimeProvider.System);
        var second = SluiceResilience.CreateRetryPipeline(SluiceResilience.IsTransient, 4, TimeProvider.System);
        var other = SluiceResilience.CreateRetryPipeline(SluiceResilience.IsTransient, 5, TimeProvider.System);

        Assert.Same(first, second);
        Assert.NotSame(first, other);
    }

    [Fact]
    public void Own_classifiers_hooks_and_clocks_get_their_own_pipeline()
    {
        var threshold = 3;
        Func<Exception, bool> own = e => e.Message.Length > threshold;

        Assert.NotSame(
            SluiceResilience.CreateRetryPipeline(own, 4, TimeProvider.System),
            SluiceResilience.CreateRetryPipeline(own, 4, TimeProvider.System));
        Assert.NotSame(
            SluiceResilience.CreateRetryPipeline(SluiceResilience.IsTransient, 4, TimeProvider.System, (_, _) => { }),
            SluiceResilience.CreateRetryPipeline(SluiceResilience.IsTransient, 4, TimeProvider.System, (_, _) => { }));
        var clock = new FakeTimeProvider();
        Assert.NotSame(
            SluiceResilience.CreateRetryPipeline(SluiceResilience.IsTransient, 4, clock),
            SluiceResilience.CreateRetryPipeline(SluiceResilience.IsTransient, 4, clock));
    }

    [Fact]
    public async Task A_cached_retry_pipeline_still_retries_each_call_afresh()
    {
        for (var call = 0; call < 3; call++)
        {
            var attempts = 0;
            var result = await SluiceResilience.RetryAsync(
                _ => ++attempts < 2 ? throw new TimeoutException() : new ValueTask<int>(attempts),
                maxAttempts: 2);
            Assert.Equal(2, result);
        }
    }

    [Fact]
    public async Task A_cached_timeout_pipeline_still_times_out_and_lets_fast_calls_through()
    {
        var timeout = TimeSpan.FromMilliseconds(50);
        Assert.Same(SluiceResilience.CreateTimeoutPipeline(timeout, TimeProvider.System), SluiceResilience.CreateTimeoutPipeline(timeout, TimeProvider.System));

        Assert.Equal(1, await SluiceResilience.WithTimeoutAsync(timeout, _ => Task.FromResult(1)));
        await Assert.ThrowsAsync<Polly.Timeout.TimeoutRejectedException>(
            () => SluiceResilience.WithTimeoutAsync(timeout, token => Task.Delay(Timeout.Infinite, token)));
        Assert.Equal(2, await SluiceResilience.WithTimeoutAsync(timeout, _ => Task.FromResult(2)));
    }
}
