using System;

namespace Sluice;

/// <summary>
/// Settings of the pipeline built by <see cref="SluiceResilience.CreatePipeline(SluiceResilienceOptions?)"/>:
/// a total timeout around a retry (exponential backoff with jitter, transient failures only)
/// around a circuit breaker around a per-attempt timeout.
/// </summary>
public sealed class SluiceResilienceOptions
{
    /// <summary>Gets or sets the deadline for the whole operation, every retry and delay included.</summary>
    /// <value>The default is 2 minutes. Allowed: 10 ms to 24 hours.</value>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets the deadline of a single attempt.</summary>
    /// <value>The default is 30 seconds. Allowed: 10 ms to 24 hours.</value>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many times a transient failure is retried after the first attempt.</summary>
    /// <value>The default is 3 (so at most 4 attempts). Allowed: 0 (no retry) to 100.</value>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Gets or sets the delay before the first retry; later delays double (exponential backoff).</summary>
    /// <value>The default is 1 second. Allowed: zero to 1 hour. Zero disables the delay, which is useful in tests.</value>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the upper bound of any single retry delay.</summary>
    /// <value>The default is 30 seconds. Allowed: zero to 1 hour.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets a value indicating whether retry delays are randomized so that many clients do not retry in step.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool UseJitter { get; set; } = true;

    /// <summary>Gets or sets the predicate that decides which exceptions are worth retrying and count towards breaking the circuit.</summary>
    /// <value>The default is <see cref="SluiceResilience.IsTransient(Exception)"/>.</value>
    public Func<Exception, bool> ShouldRetry { get; set; } = SluiceResilience.IsTransient;

    /// <summary>Gets or sets a value indicating whether a circuit breaker stops calls to a dependency that keeps failing.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool EnableCircuitBreaker { get; set; } = true;

    /// <summary>Gets or sets the share of transient failures within <see cref="CircuitBreakerSamplingDuration"/> that opens the circuit.</summary>
    /// <value>The default is 0.5. Allowed: greater than 0 up to 1.</value>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Gets or sets how many calls must be seen within the sampling duration before the circuit may open.</summary>
    /// <value>The default is 20. Allowed: 2 to <see cref="int.MaxValue"/>.</value>
    public int CircuitBreakerMinimumThroughput { get; set; } = 20;

    /// <summary>Gets or sets the window over which the failure ratio is measured.</summary>
    /// <value>The default is 30 seconds. Allowed: 500 ms to 24 hours.</value>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long the circuit stays open before a trial call is let through.</summary>
    /// <value>The default is 30 seconds. Allowed: 500 ms to 24 hours.</value>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the clock used for timeouts and delays; tests pass a fake one so that nothing sleeps for real.</summary>
    /// <value>The default is <see langword="null"/>, meaning <see cref="System.TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }
}
