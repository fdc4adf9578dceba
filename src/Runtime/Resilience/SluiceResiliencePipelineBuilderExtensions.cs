using System;
using Polly;
using Sluice.Utils;

namespace Sluice;

/// <summary>Adds Sluice's default strategies to a Polly pipeline builder.</summary>
public static class SluiceResiliencePipelineBuilderExtensions
{
    /// <summary>
    /// Adds, outermost first: a total timeout, a retry with exponential backoff and jitter on the failures
    /// <see cref="SluiceResilienceOptions.ShouldRetry"/> accepts, an optional circuit breaker, and a per-attempt timeout.
    /// </summary>
    /// <param name="builder">The builder to add to.</param>
    /// <param name="options">The settings; see <see cref="SluiceResilienceOptions"/> for the defaults.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting of <paramref name="options"/> is outside its allowed range.</exception>
    public static ResiliencePipelineBuilder AddSluiceDefaults(this ResiliencePipelineBuilder builder, SluiceResilienceOptions options)
    {
        Guard.NotNull(builder);
        Guard.NotNull(options);
        SluiceResilience.Validate(options);

        if (options.TimeProvider is { } timeProvider)
        {
            builder.TimeProvider = timeProvider;
        }

        builder.AddTimeout(options.TotalTimeout);
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(SluiceResilience.CreateRetryOptions(options.ShouldRetry, options.MaxRetryAttempts, options.BaseDelay, options.MaxDelay, options.UseJitter));
        }

        if (options.EnableCircuitBreaker)
        {
            builder.AddCircuitBreaker(SluiceResilience.CreateCircuitBreakerOptions(options));
        }

        return builder.AddTimeout(options.AttemptTimeout);
    }
}
