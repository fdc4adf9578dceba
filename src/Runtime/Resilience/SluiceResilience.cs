using System;
using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Sluice.Contract;
using Sluice.Resilience;
using Sluice.Utils;

namespace Sluice;

/// <summary>
/// Resilience defaults for data pipelines, built on Polly.Core: a default pipeline, a transient-failure
/// classifier, and retry and timeout helpers for single calls.
/// </summary>
/// <remarks>
/// Only transient failures are retried (see <see cref="IsTransient(Exception)"/>); permanent failures and
/// cancellations requested by the caller are rethrown at once. An <c>async</c> lambda fits both the
/// <see cref="Task"/> and the <see cref="ValueTask"/> overloads; C# 13 and later pick the <see cref="Task"/> one.
/// </remarks>
public static class SluiceResilience
{
    /// <summary>The number of attempts (the first one included) the retry helpers make unless told otherwise.</summary>
    public const int DefaultMaxAttempts = 3;

    /// <summary>The largest number of attempts the retry helpers accept.</summary>
    public const int MaxAttemptsLimit = RuntimeContract.Resilience.MaxAttempts;

    private const int TimeoutCacheLimit = 64;
    private static readonly TimeSpan s_minimumTimeout = TimeSpan.FromMilliseconds(RuntimeContract.Resilience.MinTimeoutMilliseconds);
    private static readonly TimeSpan s_maximumTimeout = TimeSpan.FromSeconds(RuntimeContract.Resilience.MaxTimeoutSeconds);
    private static readonly TimeSpan s_maximumDelay = TimeSpan.FromHours(1);
    private static readonly TimeSpan s_minimumCircuitDuration = TimeSpan.FromMilliseconds(500);
    private static readonly Func<Exception, bool> s_builtInClassifier = TransientFailureClassifier.IsTransient;
    private static readonly Func<Exception, bool> s_publicClassifier = IsTransient;
    private static readonly ConcurrentDictionary<int, ResiliencePipeline> s_transientRetryPipelines = new();
    private static readonly ConcurrentDictionary<TimeSpan, ResiliencePipeline> s_timeoutPipelines = new();

    /// <summary>
    /// Decides whether <paramref name="exception"/> is a transient failure worth retrying:
    /// <see cref="System.Net.Http.HttpRequestException"/> without a status code or with 5xx, 408 or 429,
    /// <see cref="TimeoutException"/>, <see cref="System.IO.IOException"/> (except file-not-found and similar),
    /// <see cref="System.Net.Sockets.SocketException"/>, a <see cref="System.Data.Common.DbException"/> whose
    /// <c>IsTransient</c> is set, Polly's <see cref="Polly.Timeout.TimeoutRejectedException"/> and
    /// <see cref="BrokenCircuitException"/>, and an exception that wraps one of these.
    /// </summary>
    /// <param name="exception">The failure to classify.</param>
    /// <returns>
    /// <see langword="true"/> for a transient failure; <see langword="false"/> for argument and validation
    /// errors, cancellations (except HttpClient's own timeout) and anything unknown.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public static bool IsTransient(Exception exception)
    {
        Guard.NotNull(exception);
        return TransientFailureClassifier.IsTransient(exception);
    }

    /// <summary>Decides whether an HTTP status code is transient: any 5xx, 408 Request Timeout or 429 Too Many Requests.</summary>
    /// <param name="statusCode">The response status code.</param>
    /// <returns><see langword="true"/> when a retry may succeed.</returns>
    public static bool IsTransient(HttpStatusCode statusCode) => TransientFailureClassifier.IsTransient(statusCode);

    /// <summary>
    /// Builds the default pipeline: total timeout, then retry with exponential backoff and jitter on transient
    /// failures, then a circuit breaker, then a per-attempt timeout.
    /// </summary>
    /// <param name="options">Settings to override; <see langword="null"/> uses the documented defaults.</param>
    /// <returns>A new pipeline. Share it between calls to the same dependency so its circuit breaker sees them all.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting of <paramref name="options"/> is outside its allowed range.</exception>
    /// <exception cref="ArgumentNullException"><see cref="SluiceResilienceOptions.ShouldRetry"/> is <see langword="null"/>.</exception>
    public static ResiliencePipeline CreatePipeline(SluiceResilienceOptions? options = null)
        => new ResiliencePipelineBuilder().AddSluiceDefaults(options ?? new SluiceResilienceOptions()).Build();

    /// <summary>Runs <paramref name="operation"/>, retrying transient failures with exponential backoff and jitter.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <returns>The result of the first successful attempt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    public static ValueTask<T> RetryAsync<T>(Func<CancellationToken, ValueTask<T>> operation, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
        => RetryAsync(operation, TransientFailureClassifier.IsTransient, maxAttempts, cancellationToken);

    /// <summary>Runs <paramref name="operation"/>, retrying the failures <paramref name="shouldRetry"/> accepts, with exponential backoff and jitter.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="shouldRetry">Returns <see langword="true"/> for an exception worth another attempt.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <returns>The result of the first successful attempt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> or <paramref name="shouldRetry"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    public static ValueTask<T> RetryAsync<T>(Func<CancellationToken, ValueTask<T>> operation, Func<Exception, bool> shouldRetry, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
        => RetryCoreAsync(operation, shouldRetry, maxAttempts, TimeProvider.System, cancellationToken);

    /// <summary>Runs <paramref name="operation"/>, retrying transient failures with exponential backoff and jitter.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <returns>The result of the first successful attempt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    [OverloadResolutionPriority(1)]
    public static Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> operation, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
        => RetryAsync(operation, TransientFailureClassifier.IsTransient, maxAttempts, cancellationToken);

    /// <summary>Runs <paramref name="operation"/>, retrying the failures <paramref name="shouldRetry"/> accepts, with exponential backoff and jitter.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="shouldRetry">Returns <see langword="true"/> for an exception worth another attempt.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <returns>The result of the first successful attempt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> or <paramref name="shouldRetry"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    [OverloadResolutionPriority(1)]
    public static Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> operation, Func<Exception, bool> shouldRetry, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        return RetryCoreAsync(token => new ValueTask<T>(operation(token)), shouldRetry, maxAttempts, TimeProvider.System, cancellationToken).AsTask();
    }

    /// <summary>Runs <paramref name="operation"/>, retrying transient failures with exponential backoff and jitter.</summary>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <returns>A task that completes when an attempt succeeds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    public static ValueTask RetryAsync(Func<CancellationToken, ValueTask> operation, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
        => RetryAsync(operation, TransientFailureClassifier.IsTransient, maxAttempts, cancellationToken);

    /// <summary>Runs <paramref name="operation"/>, retrying the failures <paramref name="shouldRetry"/> accepts, with exponential backoff and jitter.</summary>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="shouldRetry">Returns <see langword="true"/> for an exception worth another attempt.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <returns>A task that completes when an attempt succeeds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> or <paramref name="shouldRetry"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    public static ValueTask RetryAsync(Func<CancellationToken, ValueTask> operation, Func<Exception, bool> shouldRetry, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
        => RetryCoreAsync(operation, shouldRetry, maxAttempts, TimeProvider.System, cancellationToken);

    /// <summary>Runs <paramref name="operation"/>, retrying transient failures with exponential backoff and jitter.</summary>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <returns>A task that completes when an attempt succeeds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    [OverloadResolutionPriority(1)]
    public static Task RetryAsync(Func<CancellationToken, Task> operation, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
        => RetryAsync(operation, TransientFailureClassifier.IsTransient, maxAttempts, cancellationToken);

    /// <summary>Runs <paramref name="operation"/>, retrying the failures <paramref name="shouldRetry"/> accepts, with exponential backoff and jitter.</summary>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="shouldRetry">Returns <see langword="true"/> for an exception worth another attempt.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <returns>A task that completes when an attempt succeeds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> or <paramref name="shouldRetry"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    [OverloadResolutionPriority(1)]
    public static Task RetryAsync(Func<CancellationToken, Task> operation, Func<Exception, bool> shouldRetry, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        return RetryCoreAsync(token => new ValueTask(operation(token)), shouldRetry, maxAttempts, TimeProvider.System, cancellationToken).AsTask();
    }

    /// <summary>
    /// Runs <paramref name="operation"/>, retrying the failures <paramref name="shouldRetry"/> accepts, with exponential backoff
    /// and jitter, and calls <paramref name="onRetry"/> before each retry, so a loop rewritten onto this method keeps its log line.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="shouldRetry">Returns <see langword="true"/> for an exception worth another attempt.</param>
    /// <param name="onRetry">Called with the failure and the 1-based number of the attempt that failed, before the delay; it must not throw.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <returns>The result of the first successful attempt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/>, <paramref name="shouldRetry"/> or <paramref name="onRetry"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The whole RetryAsync family shares the optional maxAttempts/cancellationToken tail; the required onRetry parameter keeps the overloads apart.")]
    public static Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> operation, Func<Exception, bool> shouldRetry, Action<Exception, int> onRetry, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        Guard.NotNull(onRetry);
        return CreateRetryPipeline(shouldRetry, maxAttempts, TimeProvider.System, onRetry)
            .ExecuteAsync(static async (operation, token) => await operation(token).ConfigureAwait(false), operation, cancellationToken).AsTask();
    }

    /// <summary>
    /// Runs <paramref name="operation"/>, retrying the failures <paramref name="shouldRetry"/> accepts, with exponential backoff
    /// and jitter, and calls <paramref name="onRetry"/> before each retry, so a loop rewritten onto this method keeps its log line.
    /// </summary>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="shouldRetry">Returns <see langword="true"/> for an exception worth another attempt.</param>
    /// <param name="onRetry">Called with the failure and the 1-based number of the attempt that failed, before the delay; it must not throw.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <returns>A task that completes when an attempt succeeds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/>, <paramref name="shouldRetry"/> or <paramref name="onRetry"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The whole RetryAsync family shares the optional maxAttempts/cancellationToken tail; the required onRetry parameter keeps the overloads apart.")]
    public static Task RetryAsync(Func<CancellationToken, Task> operation, Func<Exception, bool> shouldRetry, Action<Exception, int> onRetry, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        Guard.NotNull(onRetry);
        return CreateRetryPipeline(shouldRetry, maxAttempts, TimeProvider.System, onRetry)
            .ExecuteAsync(static async (operation, token) => await operation(token).ConfigureAwait(false), operation, cancellationToken).AsTask();
    }

    /// <summary>Runs <paramref name="operation"/> synchronously, retrying transient failures with exponential backoff and jitter.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <returns>The result of the first successful attempt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    public static T Retry<T>(Func<CancellationToken, T> operation, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
        => Retry(operation, TransientFailureClassifier.IsTransient, maxAttempts, cancellationToken);

    /// <summary>Runs <paramref name="operation"/> synchronously, retrying the failures <paramref name="shouldRetry"/> accepts.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="shouldRetry">Returns <see langword="true"/> for an exception worth another attempt.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <returns>The result of the first successful attempt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> or <paramref name="shouldRetry"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    public static T Retry<T>(Func<CancellationToken, T> operation, Func<Exception, bool> shouldRetry, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
        => RetryCore(operation, shouldRetry, maxAttempts, TimeProvider.System, cancellationToken);

    /// <summary>Runs <paramref name="operation"/> synchronously, retrying transient failures with exponential backoff and jitter.</summary>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    public static void Retry(Action<CancellationToken> operation, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
        => Retry(operation, TransientFailureClassifier.IsTransient, maxAttempts, cancellationToken);

    /// <summary>Runs <paramref name="operation"/> synchronously, retrying the failures <paramref name="shouldRetry"/> accepts.</summary>
    /// <param name="operation">The operation; it receives the token to observe.</param>
    /// <param name="shouldRetry">Returns <see langword="true"/> for an exception worth another attempt.</param>
    /// <param name="maxAttempts">Attempts in total, the first included: 1 to <see cref="MaxAttemptsLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation and any pending retry.</param>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> or <paramref name="shouldRetry"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is outside 1 to <see cref="MaxAttemptsLimit"/>.</exception>
    public static void Retry(Action<CancellationToken> operation, Func<Exception, bool> shouldRetry, int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        RetryCore<bool>(token => { operation(token); return true; }, shouldRetry, maxAttempts, TimeProvider.System, cancellationToken);
    }

    /// <summary>Runs <paramref name="operation"/> and cancels it when <paramref name="timeout"/> elapses.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="timeout">The deadline: 10 ms to 24 hours.</param>
    /// <param name="operation">The operation; it must observe the token it receives.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The operation's result.</returns>
    /// <exception cref="Polly.Timeout.TimeoutRejectedException">The deadline passed before the operation completed.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is outside 10 ms to 24 hours.</exception>
    public static Task<T> WithTimeoutAsync<T>(TimeSpan timeout, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        var pipeline = CreateTimeoutPipeline(timeout, TimeProvider.System);
        return pipeline.ExecuteAsync(static (op, token) => new ValueTask<T>(op(token)), operation, cancellationToken).AsTask();
    }

    /// <summary>Runs <paramref name="operation"/> and cancels it when <paramref name="timeout"/> elapses.</summary>
    /// <param name="timeout">The deadline: 10 ms to 24 hours.</param>
    /// <param name="operation">The operation; it must observe the token it receives.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes with the operation.</returns>
    /// <exception cref="Polly.Timeout.TimeoutRejectedException">The deadline passed before the operation completed.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is outside 10 ms to 24 hours.</exception>
    public static Task WithTimeoutAsync(TimeSpan timeout, Func<CancellationToken, Task> operation, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        var pipeline = CreateTimeoutPipeline(timeout, TimeProvider.System);
        return pipeline.ExecuteAsync(static (op, token) => new ValueTask(op(token)), operation, cancellationToken).AsTask();
    }

    /// <summary>Runs <paramref name="operation"/> synchronously and signals cancellation to it when <paramref name="timeout"/> elapses.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="timeout">The deadline: 10 ms to 24 hours.</param>
    /// <param name="operation">The operation; the deadline is cooperative, so it must observe the token it receives.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The operation's result.</returns>
    /// <exception cref="Polly.Timeout.TimeoutRejectedException">The deadline passed and the operation stopped on the token.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is outside 10 ms to 24 hours.</exception>
    public static T WithTimeout<T>(TimeSpan timeout, Func<CancellationToken, T> operation, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        return CreateTimeoutPipeline(timeout, TimeProvider.System).Execute(operation, cancellationToken);
    }

    /// <summary>Runs <paramref name="operation"/> synchronously and signals cancellation to it when <paramref name="timeout"/> elapses.</summary>
    /// <param name="timeout">The deadline: 10 ms to 24 hours.</param>
    /// <param name="operation">The operation; the deadline is cooperative, so it must observe the token it receives.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="Polly.Timeout.TimeoutRejectedException">The deadline passed and the operation stopped on the token.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is outside 10 ms to 24 hours.</exception>
    public static void WithTimeout(TimeSpan timeout, Action<CancellationToken> operation, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        CreateTimeoutPipeline(timeout, TimeProvider.System).Execute(operation, cancellationToken);
    }

    internal static ValueTask<T> RetryCoreAsync<T>(Func<CancellationToken, ValueTask<T>> operation, Func<Exception, bool> shouldRetry, int maxAttempts, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        Guard.NotNull(operation);
        return CreateRetryPipeline(shouldRetry, maxAttempts, timeProvider).ExecuteAsync(operation, cancellationToken);
    }

    internal static ValueTask RetryCoreAsync(Func<CancellationToken, ValueTask> operation, Func<Exception, bool> shouldRetry, int maxAttempts, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        Guard.NotNull(operation);
        return CreateRetryPipeline(shouldRetry, maxAttempts, timeProvider).ExecuteAsync(operation, cancellationToken);
    }

    internal static T RetryCore<T>(Func<CancellationToken, T> operation, Func<Exception, bool> shouldRetry, int maxAttempts, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        Guard.NotNull(operation);
        return CreateRetryPipeline(shouldRetry, maxAttempts, timeProvider).Execute(operation, cancellationToken);
    }

    internal static ResiliencePipeline CreateRetryPipeline(Func<Exception, bool> shouldRetry, int maxAttempts, TimeProvider timeProvider, Action<Exception, int>? onRetry = null)
    {
        Guard.NotNull(shouldRetry);
        Guard.InRange(maxAttempts, 1, MaxAttemptsLimit);
        if (maxAttempts == 1)
        {
            return ResiliencePipeline.Empty;
        }

        // A retry pipeline keeps no state between executions, so the common case (the built-in classifier, the system
        // clock, no hook) is built once per attempt count rather than on every call. The key space is bounded by
        // MaxAttemptsLimit; other classifiers (often capturing lambdas, a new delegate per call) are not cached.
        if (onRetry is null && timeProvider == TimeProvider.System && IsBuiltInClassifier(shouldRetry))
        {
            return s_transientRetryPipelines.GetOrAdd(maxAttempts, static attempts => BuildRetryPipeline(TransientFailureClassifier.IsTransient, attempts, TimeProvider.System, null));
        }

        return BuildRetryPipeline(shouldRetry, maxAttempts, timeProvider, onRetry);
    }

    private static bool IsBuiltInClassifier(Func<Exception, bool> shouldRetry)
        => shouldRetry.Target is null && (shouldRetry.Method == s_builtInClassifier.Method || shouldRetry.Method == s_publicClassifier.Method);

    private static ResiliencePipeline BuildRetryPipeline(Func<Exception, bool> shouldRetry, int maxAttempts, TimeProvider timeProvider, Action<Exception, int>? onRetry)
    {

        var defaults = new SluiceResilienceOptions();
        var retry = CreateRetryOptions(shouldRetry, maxAttempts - 1, defaults.BaseDelay, defaults.MaxDelay, defaults.UseJitter);
        if (onRetry is not null)
        {
            // Polly numbers attempts from 0; the hook receives the 1-based number of the attempt that just failed.
            retry.OnRetry = args =>
            {
                onRetry(args.Outcome.Exception!, args.AttemptNumber + 1);
                return default;
            };
        }

        return new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(retry)
            .Build();
    }

    internal static RetryStrategyOptions CreateRetryOptions(Func<Exception, bool> shouldRetry, int maxRetryAttempts, TimeSpan baseDelay, TimeSpan maxDelay, bool useJitter) => new()
    {
        MaxRetryAttempts = maxRetryAttempts,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = useJitter,
        Delay = baseDelay,
        MaxDelay = maxDelay,
        ShouldHandle = args => new ValueTask<bool>(ShouldHandle(args.Outcome.Exception, shouldRetry, args.Context.CancellationToken)),
    };

    internal static bool ShouldHandle(Exception? exception, Func<Exception, bool> shouldRetry, CancellationToken cancellationToken)
        => exception is not null && !cancellationToken.IsCancellationRequested && shouldRetry(exception);

    internal static ResiliencePipeline CreateTimeoutPipeline(TimeSpan timeout, TimeProvider timeProvider)
    {
        Guard.InRange(timeout, s_minimumTimeout, s_maximumTimeout);
        if (timeProvider != TimeProvider.System)
        {
            return BuildTimeoutPipeline(timeout, timeProvider);
        }

        // A timeout pipeline keeps no state between executions: reuse it per timeout. Code passes a handful of distinct
        // timeouts; the cache stops growing at TimeoutCacheLimit entries so computed timeouts cannot grow it without bound.
        if (s_timeoutPipelines.TryGetValue(timeout, out var cached))
        {
            return cached;
        }

        var pipeline = BuildTimeoutPipeline(timeout, timeProvider);
        return s_timeoutPipelines.Count < TimeoutCacheLimit ? s_timeoutPipelines.GetOrAdd(timeout, pipeline) : pipeline;
    }

    private static ResiliencePipeline BuildTimeoutPipeline(TimeSpan timeout, TimeProvider timeProvider)
        => new ResiliencePipelineBuilder { TimeProvider = timeProvider }.AddTimeout(timeout).Build();

    internal static void Validate(SluiceResilienceOptions options)
    {
        Guard.InRange(options.TotalTimeout, s_minimumTimeout, s_maximumTimeout, "options.TotalTimeout");
        Guard.InRange(options.AttemptTimeout, s_minimumTimeout, s_maximumTimeout, "options.AttemptTimeout");
        Guard.InRange(options.MaxRetryAttempts, 0, MaxAttemptsLimit, "options.MaxRetryAttempts");
        Guard.InRange(options.BaseDelay, TimeSpan.Zero, s_maximumDelay, "options.BaseDelay");
        Guard.InRange(options.MaxDelay, TimeSpan.Zero, s_maximumDelay, "options.MaxDelay");
        Guard.NotNull(options.ShouldRetry, "options.ShouldRetry");
        if (options.EnableCircuitBreaker)
        {
            if (!(options.CircuitBreakerFailureRatio > 0 && options.CircuitBreakerFailureRatio <= 1))
            {
                throw new ArgumentOutOfRangeException("options.CircuitBreakerFailureRatio", options.CircuitBreakerFailureRatio, "options.CircuitBreakerFailureRatio must be greater than 0 and at most 1.");
            }

            Guard.InRange(options.CircuitBreakerMinimumThroughput, 2, int.MaxValue, "options.CircuitBreakerMinimumThroughput");
            Guard.InRange(options.CircuitBreakerSamplingDuration, s_minimumCircuitDuration, s_maximumTimeout, "options.CircuitBreakerSamplingDuration");
            Guard.InRange(options.CircuitBreakerBreakDuration, s_minimumCircuitDuration, s_maximumTimeout, "options.CircuitBreakerBreakDuration");
        }
    }

    internal static CircuitBreakerStrategyOptions CreateCircuitBreakerOptions(SluiceResilienceOptions options)
    {
        var shouldRetry = options.ShouldRetry;
        return new CircuitBreakerStrategyOptions
        {
            FailureRatio = options.CircuitBreakerFailureRatio,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = options.CircuitBreakerSamplingDuration,
            BreakDuration = options.CircuitBreakerBreakDuration,
            ShouldHandle = args => new ValueTask<bool>(ShouldHandle(args.Outcome.Exception, shouldRetry, args.Context.CancellationToken)),
        };
    }
}
