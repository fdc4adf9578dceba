using Polly;

namespace Sluice.Runtime.Tests.Support;

internal static class Fast
{
    /// <summary>The default Sluice pipeline with no delays and no circuit breaker, so tests never sleep.</summary>
    public static ResiliencePipeline Resilience(int maxRetryAttempts = 3) => SluiceResilience.CreatePipeline(new SluiceResilienceOptions
    {
        BaseDelay = TimeSpan.Zero,
        MaxDelay = TimeSpan.Zero,
        EnableCircuitBreaker = false,
        MaxRetryAttempts = maxRetryAttempts,
    });
}
