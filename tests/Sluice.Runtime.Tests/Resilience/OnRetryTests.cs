using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Resilience;

public class OnRetryTests
{
    [Fact]
    public async Task The_hook_sees_each_failure_and_the_number_of_the_attempt_that_failed()
    {
        var clock = new InstantTimeProvider();
        var seen = new List<(string Message, int Attempt)>();
        var attempts = 0;
        var pipeline = SluiceResilience.CreateRetryPipeline(SluiceResilience.IsTransient, maxAttempts: 4, clock, (e, attempt) => seen.Add((e.Message, attempt)));

        var result = await pipeline.ExecuteAsync(_ => ++attempts < 4 ? throw new TimeoutException($"try {attempts}") : new ValueTask<int>(7));

        Assert.Equal(7, result);
        Assert.Equal([("try 1", 1), ("try 2", 2), ("try 3", 3)], seen);
    }

    [Fact]
    public async Task The_hook_is_not_called_for_a_failure_that_is_not_retried()
    {
        var calls = 0;
        await Assert.ThrowsAsync<FormatException>(() => SluiceResilience.RetryAsync(
            _ => Task.FromException(new FormatException("permanent")), SluiceResilience.IsTransient, (_, _) => calls++, maxAttempts: 3));
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task RetryAsync_with_a_hook_keeps_the_log_line_of_a_rewritten_loop()
    {
        var logger = new CapturingLogger();
        var attempts = 0;
        var value = await SluiceResilience.RetryAsync(
            _ => ++attempts == 1 ? Task.FromException<int>(new HttpRequestException("503")) : Task.FromResult(attempts),
            e => e is HttpRequestException,
            (e, attempt) => logger.Log(Microsoft.Extensions.Logging.LogLevel.Warning, default, $"attempt {attempt} failed: {e.Message}", null, (s, _) => s),
            maxAttempts: 2);

        Assert.Equal(2, value);
        Assert.Equal("attempt 1 failed: 503", Assert.Single(logger.Entries).Message);
        Assert.Equal("onRetry", (await Assert.ThrowsAsync<ArgumentNullException>(() => SluiceResilience.RetryAsync(_ => Task.CompletedTask, _ => true, null!))).ParamName);
        Assert.Equal("operation", (await Assert.ThrowsAsync<ArgumentNullException>(() => SluiceResilience.RetryAsync<int>(null!, _ => true, (_, _) => { }))).ParamName);
    }
}
