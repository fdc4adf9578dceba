using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Resilience;

public class RetryHelperTests
{
    [Fact]
    public async Task Transient_failures_are_retried_until_an_attempt_succeeds_with_growing_delays()
    {
        var clock = new InstantTimeProvider();
        var attempts = 0;

        var result = await SluiceResilience.RetryCoreAsync(
            _ => ++attempts < 4 ? throw new TimeoutException() : new ValueTask<int>(42),
            SluiceResilience.IsTransient,
            maxAttempts: 5,
            clock,
            CancellationToken.None);

        Assert.Equal(42, result);
        Assert.Equal(4, attempts);
        var delays = clock.RequestedDelays.ToArray();
        Assert.Equal(3, delays.Length);
        Assert.All(delays, delay => Assert.InRange(delay, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Retries_stop_after_max_attempts_and_rethrow_the_last_failure()
    {
        var clock = new InstantTimeProvider();
        var attempts = 0;

        var error = await Assert.ThrowsAsync<IOException>(async () => await SluiceResilience.RetryCoreAsync(
            _ => { attempts++; throw new IOException($"attempt {attempts}"); },
            SluiceResilience.IsTransient,
            maxAttempts: 3,
            clock,
            CancellationToken.None));

        Assert.Equal(3, attempts);
        Assert.Equal("attempt 3", error.Message);
    }

    [Fact]
    public async Task Permanent_failures_are_not_retried()
    {
        var attempts = 0;
        await Assert.ThrowsAsync<ArgumentException>(async () => await SluiceResilience.RetryAsync<int>(
            _ => { attempts++; throw new ArgumentException("bad record"); },
            maxAttempts: 5));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task Custom_predicate_decides_what_is_retried()
    {
        var clock = new InstantTimeProvider();
        var attempts = 0;
        await SluiceResilience.RetryCoreAsync(
            _ => ++attempts < 2 ? throw new InvalidOperationException("deadlock") : ValueTask.CompletedTask,
            e => e.Message == "deadlock",
            maxAttempts: 3,
            clock,
            CancellationToken.None);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_retried()
    {
        using var cts = new CancellationTokenSource();
        var attempts = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await SluiceResilience.RetryAsync(
            token =>
            {
                attempts++;
                cts.Cancel();
                token.ThrowIfCancellationRequested();
                return Task.CompletedTask;
            },
            shouldRetry: _ => true,
            maxAttempts: 5,
            cts.Token));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task Task_and_value_task_forms_return_the_result_of_a_successful_first_attempt()
    {
        Assert.Equal("a", await SluiceResilience.RetryAsync(_ => Task.FromResult("a")));
        Assert.Equal("b", await SluiceResilience.RetryAsync(_ => new ValueTask<string>("b")));
        var calls = 0;
        await SluiceResilience.RetryAsync(_ => { calls++; return Task.CompletedTask; });
        await SluiceResilience.RetryAsync(_ => { calls++; return ValueTask.CompletedTask; });
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Async_lambdas_bind_without_casts()
    {
        var calls = 0;
        Assert.Equal(2, await SluiceResilience.RetryAsync(async token => { await Task.Yield(); return ++calls + 1; }));
        await SluiceResilience.RetryAsync(async token => { await Task.Delay(0, token); calls++; }, maxAttempts: 2);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Sync_retry_retries_transient_failures()
    {
        var clock = new InstantTimeProvider();
        var attempts = 0;
        var result = SluiceResilience.RetryCore(_ => ++attempts < 3 ? throw new IOException() : "done", SluiceResilience.IsTransient, 3, clock, CancellationToken.None);
        Assert.Equal("done", result);
        Assert.Equal(3, attempts);

        var permanentAttempts = 0;
        Assert.Throws<FormatException>(() => SluiceResilience.Retry(_ => { permanentAttempts++; throw new FormatException(); }));
        Assert.Equal(1, permanentAttempts);
        Assert.Equal(7, SluiceResilience.Retry(_ => 7));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(101)]
    public async Task Max_attempts_outside_the_allowed_range_is_rejected(int maxAttempts)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SluiceResilience.RetryAsync(_ => Task.FromResult(1), maxAttempts));
        Assert.Equal("maxAttempts", error.ParamName);
        Assert.Contains("between 1 and 100", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => SluiceResilience.Retry(_ => { }, maxAttempts));
    }

    [Fact]
    public async Task Null_arguments_are_rejected_with_their_names()
    {
        Assert.Equal("operation", (await Assert.ThrowsAsync<ArgumentNullException>(() => SluiceResilience.RetryAsync((Func<CancellationToken, Task<int>>)null!))).ParamName);
        Assert.Equal("operation", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await SluiceResilience.RetryAsync((Func<CancellationToken, ValueTask>)null!))).ParamName);
        Assert.Equal("shouldRetry", (await Assert.ThrowsAsync<ArgumentNullException>(() => SluiceResilience.RetryAsync(_ => Task.CompletedTask, (Func<Exception, bool>)null!))).ParamName);
        Assert.Equal("operation", Assert.Throws<ArgumentNullException>(() => SluiceResilience.WithTimeout(TimeSpan.FromSeconds(1), (Action<CancellationToken>)null!)).ParamName);
    }

    [Fact]
    public async Task With_timeout_cancels_an_operation_that_outlives_its_deadline()
    {
        var sawCancellation = false;
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => SluiceResilience.WithTimeoutAsync(TimeSpan.FromMilliseconds(20), async token =>
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
            }
            catch (OperationCanceledException)
            {
                sawCancellation = true;
                throw;
            }
        }));
        Assert.True(sawCancellation);
        Assert.Equal(5, await SluiceResilience.WithTimeoutAsync(TimeSpan.FromSeconds(30), _ => Task.FromResult(5)));
        Assert.Equal(6, SluiceResilience.WithTimeout(TimeSpan.FromSeconds(30), _ => 6));
        Assert.Throws<TimeoutRejectedException>(() => SluiceResilience.WithTimeout(TimeSpan.FromMilliseconds(20), token => { token.WaitHandle.WaitOne(); token.ThrowIfCancellationRequested(); }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(9)]
    public async Task Timeouts_outside_the_allowed_range_are_rejected(int milliseconds)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SluiceResilience.WithTimeoutAsync(TimeSpan.FromMilliseconds(milliseconds), _ => Task.FromResult(1)));
        Assert.Equal("timeout", error.ParamName);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SluiceResilience.WithTimeoutAsync(Timeout.InfiniteTimeSpan, _ => Task.CompletedTask));
    }
}

public class DefaultPipelineTests
{
    private static SluiceResilienceOptions FastOptions() => new()
    {
        BaseDelay = TimeSpan.Zero,
        MaxDelay = TimeSpan.Zero,
        EnableCircuitBreaker = false,
    };

    [Fact]
    public async Task Transient_failures_are_retried_the_configured_number_of_times()
    {
        var pipeline = SluiceResilience.CreatePipeline(FastOptions());
        var attempts = 0;
        await Assert.ThrowsAsync<HttpRequestException>(async () => await pipeline.ExecuteAsync(_ => { attempts++; throw new HttpRequestException(); }));
        Assert.Equal(4, attempts);
    }

    [Fact]
    public async Task Permanent_failures_pass_straight_through()
    {
        var pipeline = SluiceResilience.CreatePipeline(FastOptions());
        var attempts = 0;
        await Assert.ThrowsAsync<ArgumentException>(async () => await pipeline.ExecuteAsync(_ => { attempts++; throw new ArgumentException(); }));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task An_attempt_that_outlives_its_timeout_is_cancelled_and_retried()
    {
        var clock = new FakeTimeProvider();
        var options = FastOptions();
        options.AttemptTimeout = TimeSpan.FromSeconds(2);
        options.MaxRetryAttempts = 2;
        options.TimeProvider = clock;
        var pipeline = SluiceResilience.CreatePipeline(options);
        var started = new AttemptSignal();

        var run = pipeline.ExecuteAsync(async token =>
        {
            var attempt = started.Next();
            if (attempt < 3)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
            }

            return attempt;
        }).AsTask();

        for (var attempt = 1; attempt < 3; attempt++)
        {
            await started.WaitForAsync(attempt);
            clock.Advance(options.AttemptTimeout);
        }

        Assert.Equal(3, await run.WaitAsync(AttemptSignal.HangGuard));
    }

    [Fact]
    public async Task The_total_timeout_ends_retries_that_would_otherwise_go_on()
    {
        // Every attempt hangs until its own timeout, which is transient, so only the total timeout can stop the retries:
        // attempts start at 0 s, 2 s and 4 s, and the total timeout ends the third at 5 s.
        var clock = new FakeTimeProvider();
        var options = FastOptions();
        options.AttemptTimeout = TimeSpan.FromSeconds(2);
        options.TotalTimeout = TimeSpan.FromSeconds(5);
        options.MaxRetryAttempts = 100;
        options.TimeProvider = clock;
        var pipeline = SluiceResilience.CreatePipeline(options);
        var started = new AttemptSignal();

        var run = pipeline.ExecuteAsync(async token =>
        {
            started.Next();
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
        }).AsTask();

        await started.WaitForAsync(1);
        clock.Advance(TimeSpan.FromSeconds(2));
        await started.WaitForAsync(2);
        clock.Advance(TimeSpan.FromSeconds(2));
        await started.WaitForAsync(3);
        clock.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<TimeoutRejectedException>(() => run.WaitAsync(AttemptSignal.HangGuard));
        Assert.Equal(options.TotalTimeout, error.Timeout);
        Assert.Equal(3, started.Count);
    }

    [Fact]
    public async Task The_circuit_opens_after_repeated_transient_failures()
    {
        var options = FastOptions();
        options.MaxRetryAttempts = 0;
        options.EnableCircuitBreaker = true;
        options.CircuitBreakerMinimumThroughput = 2;
        options.CircuitBreakerFailureRatio = 0.5;
        var pipeline = SluiceResilience.CreatePipeline(options);
        var calls = 0;
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<TimeoutException>(async () => await pipeline.ExecuteAsync(_ => { calls++; throw new TimeoutException(); }));
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await pipeline.ExecuteAsync(_ => { calls++; return ValueTask.CompletedTask; }));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Defaults_are_documented_values()
    {
        var options = new SluiceResilienceOptions();
        Assert.Equal(TimeSpan.FromMinutes(2), options.TotalTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.AttemptTimeout);
        Assert.Equal(3, options.MaxRetryAttempts);
        Assert.True(options.UseJitter);
        Assert.True(options.EnableCircuitBreaker);
        Assert.NotNull(SluiceResilience.CreatePipeline());
    }

    [Fact]
    public void Out_of_range_options_are_rejected_naming_the_setting()
    {
        Assert.Equal("options.MaxRetryAttempts", Assert.Throws<ArgumentOutOfRangeException>(() => SluiceResilience.CreatePipeline(new SluiceResilienceOptions { MaxRetryAttempts = -1 })).ParamName);
        Assert.Equal("options.AttemptTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => SluiceResilience.CreatePipeline(new SluiceResilienceOptions { AttemptTimeout = TimeSpan.Zero })).ParamName);
        Assert.Equal("options.CircuitBreakerFailureRatio", Assert.Throws<ArgumentOutOfRangeException>(() => SluiceResilience.CreatePipeline(new SluiceResilienceOptions { CircuitBreakerFailureRatio = 0 })).ParamName);
        Assert.Equal("options.ShouldRetry", Assert.Throws<ArgumentNullException>(() => SluiceResilience.CreatePipeline(new SluiceResilienceOptions { ShouldRetry = null! })).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => SluiceResiliencePipelineBuilderExtensions.AddSluiceDefaults(null!, new SluiceResilienceOptions())).ParamName);
    }
}
