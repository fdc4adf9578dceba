using System;
using System.Diagnostics.CodeAnalysis;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Sluice.Utils;

namespace Sluice;

/// <summary>
/// Sends non-idempotent HTTP requests (POST, PATCH) with an <c>Idempotency-Key</c> header, so that a server that honours
/// it applies a retried request only once. Derive the key with <see cref="IdempotencyKey.For(string, string)"/>.
/// </summary>
public static class SluiceHttpClientExtensions
{
    /// <summary>Sends a POST with an <c>Idempotency-Key</c> header.</summary>
    /// <param name="client">The client.</param>
    /// <param name="requestUri">The URI, absolute or relative to the client's base address.</param>
    /// <param name="content">The body.</param>
    /// <param name="idempotencyKey">The key: 1 to 255 visible ASCII characters, the same on every retry.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="idempotencyKey"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="idempotencyKey"/> is empty, too long, or not visible ASCII.</exception>
    public static Task<HttpResponseMessage> PostWithIdempotencyKeyAsync(this HttpClient client, [StringSyntax(StringSyntaxAttribute.Uri)] string? requestUri, HttpContent? content, string idempotencyKey, CancellationToken cancellationToken = default)
        => SendAsync(client, HttpMethod.Post, requestUri, content, idempotencyKey, cancellationToken);

    /// <summary>Sends a PATCH with an <c>Idempotency-Key</c> header.</summary>
    /// <param name="client">The client.</param>
    /// <param name="requestUri">The URI, absolute or relative to the client's base address.</param>
    /// <param name="content">The body.</param>
    /// <param name="idempotencyKey">The key: 1 to 255 visible ASCII characters, the same on every retry.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="idempotencyKey"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="idempotencyKey"/> is empty, too long, or not visible ASCII.</exception>
    public static Task<HttpResponseMessage> PatchWithIdempotencyKeyAsync(this HttpClient client, [StringSyntax(StringSyntaxAttribute.Uri)] string? requestUri, HttpContent? content, string idempotencyKey, CancellationToken cancellationToken = default)
        => SendAsync(client, HttpMethod.Patch, requestUri, content, idempotencyKey, cancellationToken);

    /// <summary>Sends <paramref name="request"/> after setting its <c>Idempotency-Key</c> header (replacing any existing one).</summary>
    /// <param name="client">The client.</param>
    /// <param name="request">The request; a request can be sent only once, so build a new one for each retry.</param>
    /// <param name="idempotencyKey">The key: 1 to 255 visible ASCII characters, the same on every retry.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="request"/> or <paramref name="idempotencyKey"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="idempotencyKey"/> is empty, too long, or not visible ASCII.</exception>
    public static Task<HttpResponseMessage> SendWithIdempotencyKeyAsync(this HttpClient client, HttpRequestMessage request, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(client);
        Guard.NotNull(request);
        IdempotencyKey.Validate(idempotencyKey, nameof(idempotencyKey));
        request.Headers.Remove(IdempotencyKey.HeaderName);
        request.Headers.Add(IdempotencyKey.HeaderName, idempotencyKey);
        return client.SendAsync(request, cancellationToken);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string? requestUri, HttpContent? content, string idempotencyKey, CancellationToken cancellationToken)
    {
        Guard.NotNull(client);
        IdempotencyKey.Validate(idempotencyKey, nameof(idempotencyKey));

        // Not disposed here, like HttpClient.PostAsync: the caller's content stays usable for a retry.
        var request = new HttpRequestMessage(method, requestUri) { Content = content };
        request.Headers.Add(IdempotencyKey.HeaderName, idempotencyKey);
        return client.SendAsync(request, cancellationToken);
    }
}
